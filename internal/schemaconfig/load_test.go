package schemaconfig_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimd/scimd/internal/schemaconfig"
	"github.com/scimd/scimd/internal/server"
	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/schema"
)

const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

// write creates the files (name → content) in a temporary directory.
func write(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func load(t *testing.T, path string) *schemaconfig.Config {
	t.Helper()
	c, err := schemaconfig.Load(path, server.ResourceTypes())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func attrNames(s *scim.Schema) []string {
	var out []string
	for _, a := range s.Attributes {
		out = append(out, a.Name)
	}
	return out
}

// TestWSO2GuideExample loads the two entries of the WSO2 guide's
// "Extending the SCIM API", copied verbatim one after the other into
// testdata/wso2/scim2-schema-extension.config: askPassword joins the
// Enterprise User extension, whose RFC attributes the EnterpriseUser entry
// lists by name and keeps.
func TestWSO2GuideExample(t *testing.T) {
	reg := load(t, "testdata/wso2/scim2-schema-extension.config").Registry
	ext := reg.Schema(enterprise)
	want := []string{"askPassword", "employeeNumber", "costCenter", "organization", "division", "department", "manager"}
	if diff := cmp.Diff(attrNames(ext), want); diff != "" {
		t.Errorf("Enterprise User attributes (-got +want):\n%s", diff)
	}
	ask := ext.Attributes[0]
	if ask.Type != scim.Boolean || ask.MultiValued || ask.Mutability != scim.ReadWrite || ask.Returned != scim.ReturnedDefault ||
		ask.Description != "Enable password change required notification in the user creation." {
		t.Errorf("askPassword = %+v", ask)
	}
	if diff := cmp.Diff(ext.Attributes[6], schema.EnterpriseUserSchema().Attributes[5]); diff != "" {
		t.Errorf("manager is not the RFC's (-got +want):\n%s", diff)
	}
	user := reg.ResourceType(schema.UserType)
	if len(user.Extensions) != 1 || user.Extensions[0].Schema != ext {
		t.Errorf("User's extensions = %+v, want only the extended Enterprise User", user.Extensions)
	}
	if base := server.ResourceTypes()[0].Extensions[0].Schema; len(base.Attributes) != 6 {
		t.Errorf("the built-in Enterprise User schema changed: %v", attrNames(base))
	}
}

// TestWSO2Formats covers the rest of the WSO2 format: a JSON array of
// entries, a schema of its own with a complex multi-valued attribute
// whose sub-attributes have entries, attached to User by default, and
// additions to a built-in schema without a schema entry.
func TestWSO2Formats(t *testing.T) {
	dir := write(t, map[string]string{"scim2-schema-extension.config": `[
{"attributeURI":"urn:scim:wso2:schema:badges","attributeName":"badges","dataType":"complex","multiValued":"true","required":"false","caseExact":"false","mutability":"readWrite","returned":"default","uniqueness":"none","subAttributes":"value type","canonicalValues":[],"referenceTypes":[]},
{"attributeURI":"urn:scim:wso2:schema:badges.value","attributeName":"value","dataType":"string","multiValued":"false","required":"true","subAttributes":"null"},
{"attributeURI":"urn:scim:wso2:schema:badges.type","attributeName":"type","dataType":"string","multiValued":"false","canonicalValues":["physical","virtual"]},
{"attributeURI":"urn:scim:wso2:schema:verifyEmail","attributeName":"verifyEmail","dataType":"boolean"},
{"attributeURI":"urn:scim:wso2:schema","attributeName":"urn:scim:wso2:schema","dataType":"complex","description":"WSO2 extension","subAttributes":"verifyEmail badges"},
{"attributeURI":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter","attributeName":"costCenter","dataType":"string","uniqueness":"server"},
{"attributeURI":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:location","attributeName":"location","dataType":"string"}
]`})
	reg := load(t, dir).Registry
	wso2 := reg.Schema("urn:scim:wso2:schema")
	if diff := cmp.Diff(attrNames(wso2), []string{"verifyEmail", "badges"}); diff != "" {
		t.Fatalf("urn:scim:wso2:schema attributes (-got +want):\n%s", diff)
	}
	badges := wso2.Attributes[1]
	if !badges.MultiValued || len(badges.SubAttributes) != 2 || !badges.SubAttributes[0].Required || len(badges.SubAttributes[1].CanonicalValues) != 2 {
		t.Errorf("badges = %+v", badges)
	}
	if wso2.Name != "urn:scim:wso2:schema" || wso2.Description != "WSO2 extension" {
		t.Errorf("schema name %q, description %q", wso2.Name, wso2.Description)
	}
	user := reg.ResourceType(schema.UserType)
	if e, ok := user.Extension("urn:scim:wso2:schema"); !ok || e.Required {
		t.Errorf("the WSO2 schema is not an optional extension of User: %+v", user.Extensions)
	}
	want := []string{"employeeNumber", "costCenter", "organization", "division", "department", "manager", "location"}
	if diff := cmp.Diff(attrNames(reg.Schema(enterprise)), want); diff != "" {
		t.Errorf("Enterprise User attributes (-got +want):\n%s", diff)
	}
	if cc := reg.Schema(enterprise).Attributes[1]; cc.Uniqueness != scim.UniqueServer {
		t.Errorf("costCenter was not redefined: %+v", cc)
	}
}

// TestResourceTypes covers the resource-type files: a new resource type
// (in JSON too), an RFC 7643 ListResponse of schemas, required
// extensions, indexes, and the scopes groups may then grant.
func TestResourceTypes(t *testing.T) {
	dir := write(t, map[string]string{
		"schemas.json": `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":2,"Resources":[
			{"id":"urn:example:Role","name":"Role","attributes":[{"name":"displayName","required":true},{"name":"rights","multiValued":true}]},
			{"id":"urn:example:ext:Tag","name":"Tag","attributes":[{"name":"tag","type":"string","caseExact":true}]}]}`,
		"types.json": `{"resourceTypes":[{"name":"Role","endpoint":"/Roles","schema":"urn:example:Role",
			"scopes":{"create":"role_admin","list":"role_view","view":"role_view","update":"role_admin","delete":"role_admin"},
			"schemaExtensions":[{"schema":"urn:example:ext:Tag","required":true}],"indexes":["tag"],"substring":["displayName"]}]}`,
		"user.yaml": "resourceTypes:\n  - name: User\n    schemaExtensions:\n      - schema: " + enterprise + "\n        required: true\n    indexes: [employeeNumber]\n",
	})
	reg := load(t, dir).Registry
	role := reg.ResourceType("Role")
	if role == nil || role.Endpoint != "/Roles" || role.Scopes.Create != "role_admin" || !role.Extensions[0].Required {
		t.Fatalf("Role = %+v", role)
	}
	if got := role.Indexed(); len(got) != 1 || got[0].Path.String() != "urn:example:ext:Tag:tag" {
		t.Errorf("Role indexes %v, want the extension's tag", got)
	}
	if e, _ := reg.ResourceType("User").Extension(enterprise); !e.Required {
		t.Errorf("the Enterprise User extension is not required")
	}
	if got := server.Scopes(reg); !slices.Contains(got, "role_admin") || !slices.Contains(got, "role_view") || !slices.Contains(got, "internal_user_mgt_view") {
		t.Errorf("the scopes groups can grant are %v", got)
	}
}

// TestInvalidConfigurations checks that every kind of mistake stops the
// load with a message naming the file, the line where it can, and what is
// wrong.
func TestInvalidConfigurations(t *testing.T) {
	const device = `{"id":"urn:example:Device","attributes":[{"name":"serial"}]}`
	const deviceType = "resourceTypes:\n  - name: Device\n    endpoint: /Devices\n    schema: urn:example:Device\n" +
		"    scopes: {create: d_create, list: d_list, view: d_view, update: d_update, delete: d_delete}\n"
	ext := func(attrs string) string {
		return `{"id":"urn:example:ext:Badge","attributes":[` + attrs + `]}`
	}
	const attach = "resourceTypes:\n  - name: User\n    schemaExtensions:\n      - schema: urn:example:ext:Badge\n"
	tests := []struct {
		name  string
		files map[string]string
		want  []string // fragments of the error
	}{
		{"JSON syntax", map[string]string{"a.json": "{\n  \"id\": \"urn:example:ext:Badge\",\n  \"attributes\": [}\n"},
			[]string{"a.json:3:18", "invalid JSON"}},
		{"truncated JSON", map[string]string{"a.json": `{"id":"urn:x:y"`}, []string{"a.json", "end of the file"}},
		{"empty file", map[string]string{"a.json": " \n"}, []string{"a.json", "empty"}},
		{"no schema", map[string]string{"a.json": "[]"}, []string{"a.json:1", "defines no schema"}},
		{"unique and never returned", map[string]string{"a.json": ext(`{"name":"pin","mutability":"writeOnly","returned":"never","uniqueness":"server"}`), "t.yaml": attach},
			[]string{"a.json:1", `attribute "pin"`, "never returned", "409"}},
		{"substring index on id", map[string]string{"a.json": device, "t.yaml": deviceType + "    substring: [id]\n"},
			[]string{"t.yaml", `can't index "id" for substring search`}},
		{"unknown type", map[string]string{"a.json": ext(`{"name":"level","type":"int"}`), "t.yaml": attach},
			[]string{"a.json:1", `attribute "level"`, `unknown type "int"`}},
		{"duplicate names", map[string]string{"a.json": ext("\n" + `{"name":"level"},` + "\n" + `{"name":"Level"}`), "t.yaml": attach},
			[]string{"a.json:3", `attribute "Level"`, "repeated"}},
		{"duplicate sub-attribute names", map[string]string{"a.json": ext(`{"name":"b","type":"complex","subAttributes":[{"name":"v"},{"name":"v"}]}`), "t.yaml": attach},
			[]string{"a.json", `attribute "b.v"`, "repeated"}},
		{"clash with a core attribute", map[string]string{"a.json": ext(`{"name":"level"},{"name":"userName"}`), "t.yaml": attach},
			[]string{"a.json:1", `attribute "userName"`, "taken by a core attribute of resource type User"}},
		{"clash with a common attribute", map[string]string{"a.json": ext(`{"name":"externalId"}`), "t.yaml": attach},
			[]string{"a.json", `attribute "externalId"`, "taken by a common attribute"}},
		{"unknown member", map[string]string{"a.json": ext(`{"name":"level","mutablity":"readOnly"}`), "t.yaml": attach},
			[]string{"a.json:1", `attribute "level"`, `unknown member "mutablity"`}},
		{"bad boolean", map[string]string{"a.json": ext(`{"name":"level","required":"yes"}`), "t.yaml": attach},
			[]string{"a.json", `"required" must be true or false`}},
		{"complex in complex", map[string]string{"a.json": ext(`{"name":"a","type":"complex","subAttributes":[{"name":"b","type":"complex","subAttributes":[{"name":"c"}]}]}`), "t.yaml": attach},
			[]string{"a.json", `attribute "a.b"`, "can't have sub-attributes"}},
		{"writeOnly returned", map[string]string{"a.json": ext(`{"name":"pin","mutability":"writeOnly"}`), "t.yaml": attach},
			[]string{"a.json", `attribute "pin"`, `returned must be "never"`}},
		{"unenforceable uniqueness", map[string]string{"a.json": ext(`{"name":"tags","multiValued":true,"uniqueness":"server"}`), "t.yaml": attach},
			[]string{"a.json", `attribute "tags"`, "single-valued top-level"}},
		{"URN without an attribute-name last segment", map[string]string{"a.json": `{"id":"urn:example:ext:2.0","attributes":[{"name":"x"}]}`,
			"t.yaml": "resourceTypes:\n  - name: User\n    schemaExtensions:\n      - schema: urn:example:ext:2.0\n"},
			[]string{"a.json", "urn:example:ext:2.0", `last segment "2.0"`}},
		{"schema unused", map[string]string{"a.json": ext(`{"name":"x"}`)},
			[]string{"a.json:1", "urn:example:ext:Badge isn't used"}},
		{"schema defined twice", map[string]string{"a.json": ext(`{"name":"x"}`), "b.json": ext(`{"name":"y"}`), "t.yaml": attach},
			[]string{"b.json:1", "defined already, at", "a.json:1"}},
		{"core schema redefined", map[string]string{"a.json": `{"id":"urn:ietf:params:scim:schemas:core:2.0:User","attributes":[{"name":"x"}]}`},
			[]string{"a.json", "built into scimd"}},
		{"core schema extended in WSO2 format", map[string]string{"a.config": `{"attributeURI":"urn:ietf:params:scim:schemas:core:2.0:User:x","attributeName":"x","dataType":"string"}`},
			[]string{"a.config", "built into scimd"}},
		{"extension not defined", map[string]string{"t.yaml": attach}, []string{"t.yaml:4", "no schema file defines the extension urn:example:ext:Badge"}},
		{"required extension", map[string]string{"a.json": ext(`{"name":"x"}`), "t.yaml": attach + "        required: maybe\n"},
			[]string{"t.yaml:5", `"required" must be true or false`}},
		{"unknown resource-type member", map[string]string{"t.yaml": "resourceTypes:\n  - name: User\n    index: [nickName]\n"},
			[]string{"t.yaml:3", `unknown member "index"`}},
		{"built-in type's endpoint", map[string]string{"t.yaml": "resourceTypes:\n  - name: Group\n    endpoint: /Teams\n"},
			[]string{"t.yaml:3", "Group is built in", `"endpoint"`}},
		{"new type without scopes", map[string]string{"d.json": device, "t.yaml": "resourceTypes:\n  - name: Device\n    endpoint: /Devices\n    schema: urn:example:Device\n"},
			[]string{"t.yaml:2", "resource type Device", `needs "scopes"`}},
		{"incomplete scopes", map[string]string{"d.json": device, "t.yaml": strings.Replace(deviceType, "delete: d_delete", "", 1)},
			[]string{"t.yaml:5", "delete is missing"}},
		{"scope with a space", map[string]string{"d.json": device, "t.yaml": strings.Replace(deviceType, "d_delete", `"d delete"`, 1)},
			[]string{"t.yaml:5", "scope delete", "not a scope name"}},
		{"new type's schema undefined", map[string]string{"t.yaml": deviceType}, []string{"t.yaml:4", "no schema file defines its schema urn:example:Device"}},
		{"reserved endpoint", map[string]string{"d.json": device, "t.yaml": strings.Replace(deviceType, "/Devices", "/Bulk", 1)},
			[]string{"t.yaml:2", "resource type Device", "/Bulk", "RFC 7644 §3.2"}},
		{"endpoint taken", map[string]string{"d.json": device, "t.yaml": strings.Replace(deviceType, "/Devices", "/Users", 1)},
			[]string{"t.yaml:2", "/Users is taken by resource type User"}},
		{"type configured twice", map[string]string{"d.json": device, "t.yaml": deviceType + strings.TrimPrefix(deviceType, "resourceTypes:\n")},
			[]string{"t.yaml:6", "configured already, at", "t.yaml:2"}},
		{"index on no attribute", map[string]string{"d.json": device, "t.yaml": deviceType + "    indexes: [serialNumber]\n"},
			[]string{"t.yaml:2", `can't index "serialNumber"`}},
		{"unknown file kind", map[string]string{"notes.txt": "hello"}, []string{"notes.txt", "not a schema file"}},
		{"mixed formats", map[string]string{"a.json": `[` + ext(`{"name":"x"}`) + `,{"attributeURI":"urn:x:y:z","attributeName":"z"}]`},
			[]string{"a.json", "mixes formats"}},
		{"WSO2 subAttributes name undefined", map[string]string{"a.config": `[
{"attributeURI":"urn:scim:wso2:schema:a","attributeName":"a","dataType":"string"},
{"attributeURI":"urn:scim:wso2:schema","attributeName":"wso2","dataType":"complex","subAttributes":"a b"}]`},
			[]string{"a.config:3", `lists "b"`, "urn:scim:wso2:schema:b"}},
		{"WSO2 entry not listed", map[string]string{"a.config": `[
{"attributeURI":"urn:scim:wso2:schema:a","attributeName":"a","dataType":"string"},
{"attributeURI":"urn:scim:wso2:schema:b","attributeName":"b","dataType":"string"},
{"attributeURI":"urn:scim:wso2:schema","attributeName":"wso2","dataType":"complex","subAttributes":"a"}]`},
			[]string{"a.config:3", `doesn't list "b"`}},
		{"WSO2 orphan sub-attribute", map[string]string{"a.config": `[
{"attributeURI":"urn:scim:wso2:schema:a","attributeName":"a","dataType":"string"},
{"attributeURI":"urn:scim:wso2:schema:c.d","attributeName":"d","dataType":"string"}]`},
			[]string{"a.config:3", `"d"`, "urn:scim:wso2:schema:c"}},
		{"WSO2 URI without its name", map[string]string{"a.config": `{"attributeURI":"urn:scim:wso2:schema:a","attributeName":"b","dataType":"string"}`},
			[]string{"a.config:1", `must end with ":b"`}},
		{"WSO2 duplicate URI", map[string]string{"a.config": "{\"attributeURI\":\"urn:x:y:a\",\"attributeName\":\"a\"}\n{\"attributeURI\":\"urn:x:y:A\",\"attributeName\":\"A\"}"},
			[]string{"a.config:2", "defined already, at line 1"}},
		{"WSO2 bad boolean", map[string]string{"a.config": `{"attributeURI":"urn:x:y:a","attributeName":"a","multiValued":"sometimes"}`},
			[]string{"a.config:1", `"multiValued" must be true or false`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := write(t, tt.files)
			c, err := schemaconfig.Load(dir, server.ResourceTypes())
			if err == nil {
				t.Fatalf("Load succeeded, want an error mentioning %q", tt.want)
			}
			if c != nil {
				t.Errorf("Load returned a configuration with its error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// countLacking is a store in which some resources lack some keys.
type countLacking map[string]int // "Type key" → count

func (c countLacking) CountLacking(_ context.Context, typ, key string) (int, error) {
	return c[typ+" "+key], nil
}

func TestShortfalls(t *testing.T) {
	dir := write(t, map[string]string{
		"badge.json": `{"id":"urn:example:ext:Badge","attributes":[{"name":"badge"}]}`,
		"device.json": `{"id":"urn:example:Device","attributes":[{"name":"serial","required":true},{"name":"note"},` +
			`{"name":"id2","required":true,"mutability":"readOnly"}]}`,
		"types.yaml": "resourceTypes:\n  - name: User\n    schemaExtensions:\n      - schema: urn:example:ext:Badge\n        required: true\n" +
			"  - name: Device\n    endpoint: /Devices\n    schema: urn:example:Device\n" +
			"    scopes: {create: d_create, list: d_list, view: d_view, update: d_update, delete: d_delete}\n",
	})
	c := load(t, dir)
	ctx := context.Background()
	if short, err := c.Shortfalls(ctx, countLacking{"User urn:example:ext:Badge": 0, "Device note": 5}); err != nil || len(short) > 0 {
		t.Errorf("Shortfalls with nothing required lacking = %q, %v", short, err)
	}
	for _, tt := range []struct {
		lacking countLacking
		want    string
	}{
		{countLacking{"User urn:example:ext:Badge": 3},
			"types.yaml:4: resource type User requires the extension urn:example:ext:Badge, but 3 stored User resources lack it: a PUT or PATCH of one of them must give it a value"},
		{countLacking{"Device serial": 1},
			`device.json:1: attribute "serial" of schema urn:example:Device is required, but 1 stored Device resource lacks it`},
	} {
		short, err := c.Shortfalls(ctx, tt.lacking)
		if err != nil || len(short) != 1 || !strings.Contains(short[0], tt.want) {
			t.Errorf("Shortfalls(%v) = %q, %v; want %q", tt.lacking, short, err, tt.want)
		}
	}
}

func TestLoadFileOrDirectory(t *testing.T) {
	if _, err := schemaconfig.Load(filepath.Join(t.TempDir(), "missing"), server.ResourceTypes()); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("a missing path: %v", err)
	}
	dir := write(t, map[string]string{".hidden.json": "not JSON", "b.yaml": "resourceTypes:\n  - name: User\n    indexes: [nickName]\n"})
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := schemaconfig.Load(dir, server.ResourceTypes()); err == nil || !strings.Contains(err.Error(), "subdirectories") {
		t.Errorf("a directory with a subdirectory: %v", err)
	}
	os.Remove(filepath.Join(dir, "sub"))
	reg := load(t, dir).Registry
	if !slices.ContainsFunc(reg.ResourceType("User").Indexed(), func(ix schema.Index) bool { return ix.Path.String() == "nickName" }) {
		t.Errorf("b.yaml was not applied, or .hidden.json was read")
	}
	reg = load(t, filepath.Join(dir, "b.yaml")).Registry
	if len(reg.ResourceTypes()) != 2 {
		t.Errorf("loading one file: %d resource types", len(reg.ResourceTypes()))
	}
	empty := load(t, t.TempDir()).Registry
	if len(empty.ResourceTypes()) != 2 || len(empty.Schemas()) != 4 {
		t.Errorf("an empty directory changed the built-in types")
	}
}
