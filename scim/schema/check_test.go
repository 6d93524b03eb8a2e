package schema

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimd/scimd/scim"
)

// attr returns a string attribute with the default characteristics.
func attr(name string) *scim.Attribute {
	return withDefaults([]*scim.Attribute{str(name, "")})[0]
}

func extension(urn string, attrs ...*scim.Attribute) *scim.Schema {
	return &scim.Schema{ID: urn, Name: urn[strings.LastIndexByte(urn, ':')+1:], Attributes: attrs}
}

// users returns the User type with the given extensions.
func users(exts ...*scim.Schema) *ResourceType {
	rt := &ResourceType{Name: UserType, Endpoint: "/Users", Schema: UserSchema()}
	for _, e := range exts {
		rt.Extensions = append(rt.Extensions, Extension{Schema: e})
	}
	return rt
}

func TestNewRegistryRefuses(t *testing.T) {
	complexOf := func(name string, subs ...*scim.Attribute) *scim.Attribute {
		return withDefaults([]*scim.Attribute{complexAttr(name, "", false, subs...)})[0]
	}
	device := func(f func(*ResourceType)) *ResourceType {
		rt := &ResourceType{Name: "Device", Endpoint: "/Devices", Schema: extension("urn:example:Device", attr("serial")),
			Scopes: Scopes{Create: "c", List: "l", View: "v", Update: "u", Delete: "d"}}
		f(rt)
		return rt
	}
	tests := []struct {
		name string
		rt   *ResourceType
		want DefinitionError
	}{
		{"name", device(func(rt *ResourceType) { rt.Name = "My Device" }), DefinitionError{ResourceType: "My Device", Problem: "the name"}},
		{"endpoint", device(func(rt *ResourceType) { rt.Endpoint = "/{x}" }), DefinitionError{ResourceType: "Device", Problem: "the endpoint"}},
		{"reserved endpoint", device(func(rt *ResourceType) { rt.Endpoint = "/schemas" }), DefinitionError{ResourceType: "Device", Problem: "RFC 7644 §3.2"}},
		{"incomplete scopes", device(func(rt *ResourceType) { rt.Scopes.Delete = "" }), DefinitionError{ResourceType: "Device", Problem: "none for delete"}},
		{"scope token", device(func(rt *ResourceType) { rt.Scopes.View = `a"b` }), DefinitionError{ResourceType: "Device", Problem: "RFC 6749 §3.3"}},
		{"URN", device(func(rt *ResourceType) { rt.Schema.ID = "http://example.com/Device" }), DefinitionError{Schema: "http://example.com/Device", Problem: "must be a URN"}},
		{"URN segment", device(func(rt *ResourceType) { rt.Schema.ID = "urn:example:a b:Device" }), DefinitionError{Schema: "urn:example:a b:Device", Problem: `segment "a b"`}},
		{"URN last segment", device(func(rt *ResourceType) { rt.Schema.ID = "urn:example:1" }), DefinitionError{Schema: "urn:example:1", Problem: `last segment "1"`}},
		{"no attributes", device(func(rt *ResourceType) { rt.Schema.Attributes = nil }), DefinitionError{Schema: "urn:example:Device", Problem: "no attributes"}},
		{"attribute name", device(func(rt *ResourceType) { rt.Schema.Attributes[0].Name = "serial.no" }), DefinitionError{Schema: "urn:example:Device", Attr: "serial.no", Problem: "RFC 7643 §2.1"}},
		{"core attribute named like a common one", device(func(rt *ResourceType) { rt.Schema.Attributes = append(rt.Schema.Attributes, attr("ID")) }),
			DefinitionError{Schema: "urn:example:Device", Attr: "ID", Problem: "common attribute"}},
		{"unknown mutability", device(func(rt *ResourceType) { rt.Schema.Attributes[0].Mutability = "readwrite" }),
			DefinitionError{Schema: "urn:example:Device", Attr: "serial", Problem: `unknown mutability "readwrite"`}},
		{"empty returned", device(func(rt *ResourceType) { rt.Schema.Attributes[0].Returned = "" }),
			DefinitionError{Schema: "urn:example:Device", Attr: "serial", Problem: `unknown returned ""`}},
		{"canonical values of an integer", device(func(rt *ResourceType) {
			rt.Schema.Attributes[0] = with(attr("ports"), func(a *scim.Attribute) { a.Type, a.CanonicalValues = scim.Integer, []string{"1"} })
		}), DefinitionError{Schema: "urn:example:Device", Attr: "ports", Problem: "canonicalValues"}},
		{"referenceTypes of a string", device(func(rt *ResourceType) { rt.Schema.Attributes[0].ReferenceTypes = []string{"User"} }),
			DefinitionError{Schema: "urn:example:Device", Attr: "serial", Problem: "referenceTypes"}},
		{"sub-attributes of a string", device(func(rt *ResourceType) { rt.Schema.Attributes[0].SubAttributes = []*scim.Attribute{attr("x")} }),
			DefinitionError{Schema: "urn:example:Device", Attr: "serial", Problem: "only a complex attribute"}},
		{"complex sub-attribute", device(func(rt *ResourceType) {
			rt.Schema.Attributes = append(rt.Schema.Attributes, complexOf("a", complexOf("b", attr("c"))))
		}), DefinitionError{Schema: "urn:example:Device", Attr: "a.b", Problem: "RFC 7643 §2.3.8"}},
		{"unique integer", device(func(rt *ResourceType) {
			rt.Schema.Attributes[0] = with(attr("ports"), func(a *scim.Attribute) { a.Type, a.Uniqueness = scim.Integer, scim.UniqueServer })
		}), DefinitionError{Schema: "urn:example:Device", Attr: "ports", Problem: "string, reference, dateTime and binary"}},
		{"unique sub-attribute", device(func(rt *ResourceType) {
			rt.Schema.Attributes = append(rt.Schema.Attributes, complexOf("a", with(attr("b"), func(a *scim.Attribute) { a.Uniqueness = scim.UniqueGlobal })))
		}), DefinitionError{Schema: "urn:example:Device", Attr: "a.b", Problem: "single-valued top-level"}},
		{"extension attribute named like a core one", users(extension("urn:example:ext:Badge", attr("NickName"))),
			DefinitionError{ResourceType: "User", Schema: "urn:example:ext:Badge", Attr: "NickName", Problem: "core attribute of resource type User"}},
		{"two extensions of one name", users(extension("urn:example:a:Badge", attr("a")), extension("urn:example:b:Badge", attr("b"))),
			DefinitionError{ResourceType: "User", Schema: "urn:example:b:Badge", Problem: "urn:example:a:Badge"}},
		{"extension attached twice", users(EnterpriseUserSchema(), EnterpriseUserSchema()),
			DefinitionError{ResourceType: "User", Problem: "attached twice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewRegistry(tt.rt)
			var de *DefinitionError
			if !errors.As(err, &de) {
				t.Fatalf("NewRegistry = %v, want a *DefinitionError", err)
			}
			got := *de
			if !strings.Contains(got.Problem, tt.want.Problem) {
				t.Errorf("problem %q does not mention %q", got.Problem, tt.want.Problem)
			}
			got.Problem = tt.want.Problem
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("error %v names (-got +want):\n%s", err, diff)
			}
		})
	}
}

func TestDefaultRegistryPassesChecks(t *testing.T) {
	if _, err := NewRegistry(users(EnterpriseUserSchema()), &ResourceType{Name: GroupType, Endpoint: "/Groups", Schema: GroupSchema(),
		Extensions: []Extension{{Schema: AuthorizationExtension([]string{"a", "b"})}}}); err != nil {
		t.Fatal(err)
	}
}

func TestShortNames(t *testing.T) {
	a := extension("urn:example:a:Badge", attr("badge"), attr("color"))
	b := extension("urn:example:b:Tag", attr("tag"), attr("Color"))
	reg, err := NewRegistry(users(EnterpriseUserSchema(), a, b))
	if err != nil {
		t.Fatal(err)
	}
	rt := reg.ResourceType(UserType)
	for in, want := range map[string]string{
		"badge":                             "urn:example:a:Badge:badge",
		"TAG":                               "urn:example:b:Tag:tag",
		"manager.value":                     scim.EnterpriseUserSchema + ":manager.value",
		"urn:example:b:Tag:color":           "urn:example:b:Tag:Color",
		"userName":                          "userName",
		scim.UserSchema + ":employeeNumber": "",
		"color":                             "", // two extensions have it
	} {
		got := ""
		if p, ok := rt.Resolve(in); ok {
			got = p.String()
		}
		if got != want {
			t.Errorf("Resolve(%q) = %q, want %q", in, got, want)
		}
	}
	doc, err := rt.Normalize(map[string]any{"userName": "kim", "badge": "B1", "tag.": nil})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(doc, map[string]any{"userName": "kim", "urn:example:a:Badge": map[string]any{"badge": "B1"}}); diff != "" {
		t.Errorf("Normalize of a short name (-got +want):\n%s", diff)
	}
	for what, err := range map[string]error{
		"Normalize":  func() error { _, err := rt.Normalize(map[string]any{"userName": "kim", "color": "red"}); return err }(),
		"Projection": func() error { _, err := rt.Projection([]string{"color"}, nil); return err }(),
	} {
		if err == nil || !strings.Contains(err.Error(), "ambiguous") || !strings.Contains(err.Error(), "urn:example:b:Tag:Color") {
			t.Errorf("%s of an ambiguous name = %v", what, err)
		}
	}
}

func TestKeepUndeclared(t *testing.T) {
	const ent = scim.EnterpriseUserSchema
	rt := Default().ResourceType(UserType)
	old := map[string]any{
		"userName": "kim", "shoeSize": "44", // undeclared: kept
		"name":                 map[string]any{"givenName": "Kim", "nickname": "K"}, // undeclared sub-attribute of a value next holds: kept
		"emails":               []any{map[string]any{"value": "a@x", "label": "l"}}, // multi-valued: replaced whole
		ent:                    map[string]any{"employeeNumber": "1", "badge": "B", "manager": map[string]any{"value": "m", "level": "2"}},
		"urn:example:gone:Ext": map[string]any{"x": "y"}, // no longer attached: kept
	}
	next := map[string]any{"userName": "kim", "name": map[string]any{"familyName": "J"}, "emails": []any{map[string]any{"value": "b@x"}}}
	rt.KeepUndeclared(old, next)
	want := map[string]any{
		"userName": "kim", "shoeSize": "44",
		"name":                 map[string]any{"familyName": "J", "nickname": "K"},
		"emails":               []any{map[string]any{"value": "b@x"}},
		ent:                    map[string]any{"badge": "B"},
		"urn:example:gone:Ext": map[string]any{"x": "y"},
	}
	if diff := cmp.Diff(next, want); diff != "" {
		t.Errorf("KeepUndeclared (-got +want):\n%s", diff)
	}

	// An extension holding only undeclared values is absent for
	// CheckRequired: its required attributes aren't demanded.
	req := extension("urn:example:a:Badge", with(attr("badge"), func(a *scim.Attribute) { a.Required = true }), attr("old"))
	reg, err := NewRegistry(users(req))
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.ResourceType(UserType).CheckRequired(map[string]any{"userName": "a", "urn:example:a:Badge": map[string]any{"gone": "x"}}); err != nil {
		t.Errorf("CheckRequired of an extension holding only undeclared values = %v", err)
	}
}

func with(a *scim.Attribute, f func(*scim.Attribute)) *scim.Attribute { f(a); return a }
