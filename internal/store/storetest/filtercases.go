package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim/filter"
	"github.com/scimd/scimd/scim/schema"
)

// testFilterCases runs every case of scim/filter/testdata/cases.txt
// through the store's List and compares the ids found with the ids
// filter.Match finds.
func testFilterCases(t *testing.T, s store.Store, reg *schema.Registry) {
	refs := loadFixtures(t, s)
	cases := readCases(t)
	if len(cases) < 150 {
		t.Fatalf("only %d filter cases", len(cases))
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%d %s", c.line, c.filter), func(t *testing.T) {
			e, err := filter.Parse(c.filter)
			if err == nil {
				e, err = filter.Bind(e, reg.ResourceType(c.typ))
			}
			if err != nil {
				t.Fatalf("cases.txt:%d: %v", c.line, err)
			}
			page, err := s.List(context.Background(), store.DefaultTenant, store.Query{Types: []store.Selection{{Type: c.typ, Filter: e}}, Count: 1000, Refs: refs})
			if err != nil {
				t.Fatalf("cases.txt:%d: List: %v", c.line, err)
			}
			want := append([]string{}, c.ids...)
			if diff := cmp.Diff(want, sortedIDs(page)); diff != "" {
				t.Errorf("cases.txt:%d %s %s (-want +got):\n%s", c.line, c.typ, c.filter, diff)
			}
			if page.Total != len(want) {
				t.Errorf("cases.txt:%d: Total = %d, want %d", c.line, page.Total, len(want))
			}
		})
	}
}

// testSort checks List's order for sortBy on every sortable attribute of the
// fixtures against sortOracle, ascending and descending.
func testSort(t *testing.T, s store.Store, reg *schema.Registry) {
	refs := loadFixtures(t, s)
	fixtures := map[string][]fixture{}
	for _, f := range []struct{ file, typ string }{{"users.jsonl", schema.UserType}, {"groups.jsonl", schema.GroupType}, {"devices.jsonl", "Device"}} {
		fixtures[f.typ] = readFixtures(t, f.file, f.typ)
	}
	paths := map[string][]string{
		schema.UserType: {"userName", "name.familyName", "displayName", "title", "emails", "emails.value", "emails.type", "active",
			"meta.created", "meta.lastModified", "id", "externalId", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value", "phoneNumbers.value", "x509Certificates"},
		schema.GroupType: {"displayName", "externalId", "meta.lastModified"},
		"Device":         {"serial", "label", "ports", "weight", "online", "seen", "tags", "readings.value", "owner.name"},
	}
	for typ, list := range paths {
		rt := reg.ResourceType(typ)
		for _, ps := range list {
			p, ok := rt.Resolve(ps)
			if !ok {
				t.Fatalf("%s: no attribute %s", typ, ps)
			}
			for _, desc := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s %s desc=%v", typ, ps, desc), func(t *testing.T) {
					page, err := s.List(context.Background(), store.DefaultTenant, store.Query{Types: []store.Selection{{Type: typ, SortBy: &p}}, Descending: desc, Count: 1000, Refs: refs})
					if err != nil {
						t.Fatal(err)
					}
					var got []string
					for _, r := range page.Resources {
						got = append(got, r.ID)
					}
					want := sortOracle(rt, fixtures[typ], p, desc)
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("order (-want +got):\n%s", diff)
					}
					// Pages at every offset hold the same order's slices
					// (some sorts skip the offset inside an index).
					for off := 1; off < len(want); off += 2 {
						page, err := s.List(context.Background(), store.DefaultTenant, store.Query{Types: []store.Selection{{Type: typ, SortBy: &p}}, Descending: desc, Offset: off, Count: 3, Refs: refs})
						if err != nil {
							t.Fatal(err)
						}
						got = got[:0]
						for _, r := range page.Resources {
							got = append(got, r.ID)
						}
						if diff := cmp.Diff(want[off:min(off+3, len(want))], got); diff != "" || page.Total != len(want) {
							t.Errorf("offset %d: total %d of %d, page (-want +got):\n%s", off, page.Total, len(want), diff)
						}
					}
				})
			}
		}
	}
}

// sortOracle orders fixtures as RFC 7644 §3.4.2.3 says, by the search form
// of the sort value; ties and missing values by creation order (the order of
// the fixture file), missing values last when ascending.
func sortOracle(rt *schema.ResourceType, fxs []fixture, p schema.Path, desc bool) []string {
	type keyed struct {
		id  string
		i   int
		key any
	}
	var ks []keyed
	for i, fx := range fxs {
		ks = append(ks, keyed{id: fx.id, i: i, key: sortValue(rt, fx, p)})
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		c := compareKeys(a.key, b.key)
		if c == 0 {
			c = a.i - b.i
		}
		if desc {
			return -c
		}
		return c
	})
	var out []string
	for _, k := range ks {
		out = append(out, k.id)
	}
	return out
}

// sortValue is the value a fixture sorts by: nil when missing.
func sortValue(rt *schema.ResourceType, fx fixture, p schema.Path) any {
	if !p.Ext && p.Schema == nil {
		switch {
		case p.Attr.Name == "id":
			return fx.id
		case p.Sub != nil && p.Sub.Name == "created":
			return fx.created.UnixNano()
		case p.Sub != nil && p.Sub.Name == "lastModified":
			return fx.mod.UnixNano()
		}
	}
	sdoc := rt.SearchDoc(fx.doc)
	v := sdoc[p.Attr.Name]
	if p.Ext {
		obj, _ := sdoc[p.Schema.ID].(map[string]any)
		v = obj[p.Attr.Name]
	}
	if !p.Attr.MultiValued {
		if p.Sub != nil {
			m, _ := v.(map[string]any)
			v = m[p.Sub.Name]
		}
		return scalar(v)
	}
	list, _ := v.([]any)
	if p.Attr.Type != "complex" {
		if len(list) == 0 {
			return nil
		}
		return scalar(list[0])
	}
	sub := "value"
	if p.Sub != nil {
		sub = p.Sub.Name
	}
	var first any
	for _, e := range list {
		m, _ := e.(map[string]any)
		if m[sub] == nil {
			continue
		}
		if m["primary"] == true {
			return scalar(m[sub])
		}
		if first == nil {
			first = scalar(m[sub])
		}
	}
	return first
}

// scalar turns numbers into float64 and booleans into 0/1, as SQL orders them.
func scalar(v any) any {
	switch v := v.(type) {
	case interface{ Float64() (float64, error) }:
		f, _ := v.Float64()
		return f
	case bool:
		if v {
			return float64(1)
		}
		return float64(0)
	}
	return v
}

// compareKeys orders missing values last, numbers before strings.
func compareKeys(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	fa, aNum := a.(float64)
	fb, bNum := b.(float64)
	ia, aInt := a.(int64)
	ib, bInt := b.(int64)
	switch {
	case aInt && bInt:
		return cmpOrdered(ia, ib)
	case aNum && bNum:
		return cmpOrdered(fa, fb)
	case aNum:
		return -1
	case bNum:
		return 1
	}
	return strings.Compare(a.(string), b.(string))
}

func cmpOrdered[T int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
