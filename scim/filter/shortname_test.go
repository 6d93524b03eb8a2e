package filter_test

import (
	"strings"
	"testing"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/filter"
	"github.com/scimd/scimd/scim/schema"
)

// TestShortExtensionNames binds extension attributes named without their
// URN, which Bind accepts when exactly one extension has the name.
func TestShortExtensionNames(t *testing.T) {
	ext := func(urn string, names ...string) schema.Extension {
		s := &scim.Schema{ID: urn}
		for _, n := range names {
			s.Attributes = append(s.Attributes, &scim.Attribute{Name: n, Type: scim.String,
				Mutability: scim.ReadWrite, Returned: scim.ReturnedDefault, Uniqueness: scim.UniqueNone})
		}
		return schema.Extension{Schema: s}
	}
	reg, err := schema.NewRegistry(&schema.ResourceType{Name: schema.UserType, Endpoint: "/Users", Schema: schema.UserSchema(),
		Extensions: []schema.Extension{{Schema: schema.EnterpriseUserSchema()}, ext("urn:example:a:Badge", "badge", "color"), ext("urn:example:b:Tag", "color")}})
	if err != nil {
		t.Fatal(err)
	}
	rt := reg.ResourceType(schema.UserType)
	for in, want := range map[string]string{
		`badge eq "B1"`:                    `urn:example:a:Badge:badge eq "B1"`,
		`employeeNumber sw "1"`:            `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber sw "1"`,
		`manager.value eq "m" or badge pr`: `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m" or urn:example:a:Badge:badge pr`,
	} {
		e, err := filter.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		bound, err := filter.Bind(e, rt)
		if err != nil {
			t.Errorf("Bind(%s) = %v", in, err)
			continue
		}
		if got := canonical(bound); got != want {
			t.Errorf("Bind(%s) = %s, want %s", in, got, want)
		}
	}
	e, _ := filter.Parse(`color eq "red"`)
	if _, err := filter.Bind(e, rt); err == nil || !strings.Contains(err.Error(), `"color" is ambiguous: qualify it with its schema URN, as "urn:example:a:Badge:color" or "urn:example:b:Tag:color"`) {
		t.Errorf("Bind of an ambiguous name = %v", err)
	}
}

// canonical prints a bound filter with its attributes' canonical paths.
func canonical(e filter.Expr) string {
	switch e := e.(type) {
	case filter.Or:
		parts := make([]string, len(e))
		for i, x := range e {
			parts[i] = canonical(x)
		}
		return strings.Join(parts, " or ")
	case filter.Compare:
		return e.Path.Bound.String() + " " + string(e.Op) + " " + `"` + e.Value.(string) + `"`
	case filter.Present:
		return e.Path.Bound.String() + " pr"
	}
	return e.String()
}
