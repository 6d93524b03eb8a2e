package patch_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/patch"
)

// TestUndeclaredValuesStay checks that operations on a whole extension
// leave the values its schema no longer declares (an attribute removed
// from the configuration), which no client can see or address: they are
// served again when the attribute is declared again.
func TestUndeclaredValuesStay(t *testing.T) {
	const ent = scim.EnterpriseUserSchema
	users := resourceTypes(t)["User"]
	before := map[string]any{"userName": "kim", ent: map[string]any{"department": "Tours", "badge": "B1"}}
	for _, tt := range []struct {
		name string
		op   map[string]any
		want map[string]any
	}{
		{"remove", map[string]any{"op": "remove", "path": ent},
			map[string]any{"userName": "kim", ent: map[string]any{"badge": "B1"}}},
		{"replace", map[string]any{"op": "replace", "path": ent, "value": map[string]any{"costCenter": "4130"}},
			map[string]any{"userName": "kim", ent: map[string]any{"badge": "B1", "costCenter": "4130"}}},
		{"path-less null", map[string]any{"op": "replace", "value": map[string]any{ent: nil}},
			map[string]any{"userName": "kim", ent: map[string]any{"badge": "B1"}}},
		{"another attribute", map[string]any{"op": "add", "path": "nickName", "value": "K"},
			map[string]any{"userName": "kim", "nickName": "K", ent: map[string]any{"department": "Tours", "badge": "B1"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := patch.Parse(users, map[string]any{"schemas": []any{scim.PatchOpMessage}, "Operations": []any{tt.op}}, patch.Options{})
			if err != nil {
				t.Fatal(err)
			}
			out, err := patch.Apply(users, before, nil, ops, patch.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(out.Doc, tt.want); diff != "" {
				t.Errorf("after %v (-got +want):\n%s", tt.op, diff)
			}
		})
	}
}
