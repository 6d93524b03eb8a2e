package patch_test

import (
	"fmt"
	"testing"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/patch"
)

// BenchmarkManyMembers adds and then removes n members in one request: the
// cost must grow linearly with the number of ids the request names.
func BenchmarkManyMembers(b *testing.B) {
	rt := resourceTypes(b)["Group"]
	for _, n := range []int{1000, 10000, 50000} {
		members := make([]any, n)
		for i := range members {
			members[i] = map[string]any{"value": fmt.Sprintf("%08d-0000-4000-8000-000000000000", i)}
		}
		body := map[string]any{"schemas": []any{scim.PatchOpMessage}, "Operations": []any{
			map[string]any{"op": "add", "path": "members", "value": members},
			map[string]any{"op": "remove", "path": "members", "value": members},
		}}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			doc := map[string]any{"displayName": "Everyone"}
			for b.Loop() {
				ops, err := patch.Parse(rt, body, patch.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := patch.Apply(rt, doc, nil, ops, patch.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
