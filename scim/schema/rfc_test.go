package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimd/scimd/scim"
)

// The golden files in testdata/rfc7643 are RFC 7643's own JSON (see the
// README there). They are never generated from this package: a difference
// is a bug here, unless the deviations table below lists it.

// deviation is a deliberate difference between what scimd serves and the
// RFC's JSON. apply edits the RFC's document into what scimd serves; it
// fails when the RFC's document no longer has what it edits.
type deviation struct {
	file   string // golden file in testdata/rfc7643
	what   string // the member or attribute that differs
	reason string // why, citing RFC 7643 (or RFC 7644)
	apply  func(doc any) error
}

var deviations = []deviation{
	{"user.json", "meta", "set when the schema is served: its location depends on the base URL (RFC 7644 §4)", drop("meta")},
	{"group.json", "meta", "set when the schema is served: its location depends on the base URL (RFC 7644 §4)", drop("meta")},
	{"enterprise_user.json", "meta", "set when the schema is served: its location depends on the base URL (RFC 7644 §4)", drop("meta")},
	{"user.json", "addresses.primary", `§2.4 defines an optional "primary" sub-attribute for multi-valued attributes and the §8.2 example marks the work address primary; §8.7.1 omits it`,
		addSub("addresses", `{"name": "primary", "type": "boolean", "description": "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred mailing address or primary email address.  The primary attribute value 'true' MUST appear no more than once."}`)},
	{"group.json", "displayName.required", `§4.2 says displayName is REQUIRED; §8.7.1 says "required" : false`,
		set("displayName", "required", true)},
	{"group.json", "members.display", `the §8.4 example and the PATCH examples of RFC 7644 §3.5.2.1 give members a "display"; §8.7.1 omits it. It is the member's name, kept by the server, so readOnly`,
		addSub("members", `{"name": "display", "type": "string", "description": "A human-readable name, primarily used for display purposes.  READ-ONLY.", "mutability": "readOnly"}`)},
	{"resource_types.json", "User.schemaExtensions[0].required", "scimd does not require the Enterprise User extension of every User; §6 lets a service provider choose and §8.6 is a non-normative example",
		inResourceType("User", func(rt map[string]any) error {
			exts, _ := rt["schemaExtensions"].([]any)
			if len(exts) != 1 {
				return fmt.Errorf("schemaExtensions is %v", rt["schemaExtensions"])
			}
			exts[0].(map[string]any)["required"] = false
			return nil
		})},
	{"resource_types.json", "meta", "ResourceType.Wire has no meta: the HTTP layer sets it, with a location that depends on the base URL (RFC 7644 §4)",
		eachResourceType(drop("meta"))},
}

func TestSchemasMatchRFC7643(t *testing.T) {
	tests := []struct {
		file   string
		schema *scim.Schema
	}{
		{"user.json", Default().Schema(scim.UserSchema)},
		{"group.json", Default().Schema(scim.GroupSchema)},
		{"enterprise_user.json", Default().Schema(scim.EnterpriseUserSchema)},
		{"service_provider_config_schema.json", ServiceProviderConfigSchema()},
		{"resource_type_schema.json", ResourceTypeSchema()},
		{"schema_schema.json", SchemaSchema()},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			want := rfcDoc(t, tt.file)
			applyDeviations(t, tt.file, want)
			withRFCDefaults(want)
			got := wireDoc(t, tt.schema)
			withRFCDefaults(got)
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("schema differs from RFC 7643 %s (-got +want):\n%s", tt.file, diff)
			}
		})
	}
}

func TestResourceTypesMatchRFC7643(t *testing.T) {
	want := rfcDoc(t, "resource_types.json")
	applyDeviations(t, "resource_types.json", want)
	var wire []scim.ResourceType
	for _, rt := range Default().ResourceTypes() {
		wire = append(wire, rt.Wire())
	}
	got := wireDoc(t, wire)
	for _, doc := range []any{got, want} {
		relativeLocations(doc)
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("resource types differ from RFC 7643 §8.6 (-got +want):\n%s", diff)
	}
}

// TestServiceProviderConfigExample decodes the RFC 7643 §8.5 example into
// scim.ServiceProviderConfig and checks that nothing is lost on the way back.
func TestServiceProviderConfigExample(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "rfc7643", "service_provider_config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spc scim.ServiceProviderConfig
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&spc); err != nil {
		t.Fatalf("decoding the §8.5 example: %v", err)
	}
	if diff := cmp.Diff(wireDoc(t, spc), rfcDoc(t, "service_provider_config.json")); diff != "" {
		t.Errorf("ServiceProviderConfig does not round-trip the §8.5 example (-got +want):\n%s", diff)
	}
}

// TestServiceProviderConfigSchemaGaps pins the members of the §8.5 example
// that the §8.7.2 schema, reproduced as published, does not declare.
func TestServiceProviderConfigSchemaGaps(t *testing.T) {
	doc := rfcDoc(t, "service_provider_config.json").(map[string]any)
	delete(doc, "schemas") // common attributes (§3.1), in no schema
	delete(doc, "meta")
	got := undeclared(doc, ServiceProviderConfigSchema().Attributes, "")
	want := []string{
		"authenticationSchemes.primary", // §8.5 only; reported as RFC 7643 erratum 7921
		"authenticationSchemes.type",    // §5 defines it; reported as RFC 7643 erratum 7921
		"etag",                          // §5 defines it; §8.7.2 leaves it out
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("§8.5 members undeclared by ServiceProviderConfigSchema (-got +want):\n%s", diff)
	}
}

// undeclared returns the sorted paths of the members of doc that attrs do
// not declare, looking into complex values.
func undeclared(doc map[string]any, attrs []*scim.Attribute, prefix string) []string {
	var out []string
	for k, v := range doc {
		i := slices.IndexFunc(attrs, func(a *scim.Attribute) bool { return strings.EqualFold(a.Name, k) })
		if i < 0 {
			out = append(out, prefix+k)
			continue
		}
		values, ok := v.([]any)
		if !ok {
			values = []any{v}
		}
		for _, e := range values {
			if m, ok := e.(map[string]any); ok {
				out = append(out, undeclared(m, attrs[i].SubAttributes, prefix+k+".")...)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// rfcDoc returns a golden file of testdata/rfc7643 as generic JSON values.
func rfcDoc(t *testing.T, file string) any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "rfc7643", file))
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, raw)
}

// wireDoc returns what encoding/json makes of v, as generic JSON values.
func wireDoc(t *testing.T, v any) any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, raw)
}

func decode(t *testing.T, raw []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func applyDeviations(t *testing.T, file string, doc any) {
	t.Helper()
	for _, d := range deviations {
		if d.file != file {
			continue
		}
		if err := d.apply(doc); err != nil {
			t.Fatalf("deviation %s %s no longer applies: %v", d.file, d.what, err)
		}
	}
}

// withRFCDefaults gives every attribute of a schema document the
// characteristics it omits, with the defaults of RFC 7643 §2.2; the RFC's
// JSON omits some (e.g. caseExact and uniqueness of complex and boolean
// attributes) and scimd's encodes some empty lists as absent.
func withRFCDefaults(doc any) {
	var walk func(attrs []any)
	walk = func(attrs []any) {
		for _, a := range attrs {
			m := a.(map[string]any)
			for k, v := range map[string]any{
				"multiValued": false, "required": false, "caseExact": false,
				"mutability": "readWrite", "returned": "default", "uniqueness": "none",
			} {
				if _, ok := m[k]; !ok {
					m[k] = v
				}
			}
			for _, k := range []string{"canonicalValues", "referenceTypes"} {
				if m[k] == nil {
					m[k] = []any{}
				}
			}
			if subs, ok := m["subAttributes"].([]any); ok {
				walk(subs)
			}
		}
	}
	attrs, _ := doc.(map[string]any)["attributes"].([]any)
	walk(attrs)
}

// relativeLocations cuts the base URL (host and path prefix) off the
// meta.location of each resource type.
func relativeLocations(doc any) {
	list, _ := doc.([]any)
	for _, e := range list {
		meta, _ := e.(map[string]any)["meta"].(map[string]any)
		if loc, ok := meta["location"].(string); ok {
			if i := strings.Index(loc, "/ResourceTypes/"); i >= 0 {
				meta["location"] = loc[i:]
			}
		}
	}
}

// drop removes a member from a document.
func drop(key string) func(any) error {
	return func(doc any) error {
		m, _ := doc.(map[string]any)
		if _, ok := m[key]; !ok {
			return fmt.Errorf("no member %q", key)
		}
		delete(m, key)
		return nil
	}
}

// set sets a characteristic of the attribute at path ("name" or
// "name.sub") of a schema document.
func set(path, key string, value any) func(any) error {
	return func(doc any) error {
		a, err := attributeAt(doc, path)
		if err != nil {
			return err
		}
		a[key] = value
		return nil
	}
}

// addSub appends a sub-attribute, given as JSON, to the attribute at path.
func addSub(path, attr string) func(any) error {
	return func(doc any) error {
		a, err := attributeAt(doc, path)
		if err != nil {
			return err
		}
		var sub map[string]any
		if err := json.Unmarshal([]byte(attr), &sub); err != nil {
			return err
		}
		subs, _ := a["subAttributes"].([]any)
		if slices.ContainsFunc(subs, func(s any) bool { return s.(map[string]any)["name"] == sub["name"] }) {
			return fmt.Errorf("%s already has %v", path, sub["name"])
		}
		a["subAttributes"] = append(subs, sub)
		return nil
	}
}

// attributeAt returns the attribute at path ("name" or "name.sub") of a
// schema document.
func attributeAt(doc any, path string) (map[string]any, error) {
	m, _ := doc.(map[string]any)
	attrs, _ := m["attributes"].([]any)
	var found map[string]any
	for name := range strings.SplitSeq(path, ".") {
		i := slices.IndexFunc(attrs, func(a any) bool { return a.(map[string]any)["name"] == name })
		if i < 0 {
			return nil, fmt.Errorf("no attribute %q", path)
		}
		found = attrs[i].(map[string]any)
		attrs, _ = found["subAttributes"].([]any)
	}
	return found, nil
}

// inResourceType applies f to the resource type with the given id of a
// list of resource types.
func inResourceType(id string, f func(map[string]any) error) func(any) error {
	return func(doc any) error {
		list, _ := doc.([]any)
		for _, e := range list {
			if rt := e.(map[string]any); rt["id"] == id {
				return f(rt)
			}
		}
		return fmt.Errorf("no resource type %q", id)
	}
}

// eachResourceType applies f to every resource type of a list.
func eachResourceType(f func(any) error) func(any) error {
	return func(doc any) error {
		list, _ := doc.([]any)
		for _, e := range list {
			if err := f(e); err != nil {
				return err
			}
		}
		return nil
	}
}
