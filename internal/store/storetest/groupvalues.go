package storetest

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim/schema"
)

func testGroupValues(t *testing.T, s store.Store) {
	ctx := context.Background()
	kim := mustCreate(t, s, store.DefaultTenant, newUser("kim"))
	scopes := func(v ...any) map[string]any { return map[string]any{"scopes": v} }
	inner := newGroup("inner")
	inner.Doc[schema.AuthorizationSchema] = scopes("a", "b")
	mustCreate(t, s, store.DefaultTenant, inner, kim.ID)
	outer := newGroup("outer")
	outer.Doc[schema.AuthorizationSchema] = scopes("b", "c")
	mustCreate(t, s, store.DefaultTenant, outer, inner.ID)
	unrelated := newGroup("unrelated")
	unrelated.Doc[schema.AuthorizationSchema] = scopes("z")
	mustCreate(t, s, store.DefaultTenant, unrelated)
	got, err := s.GroupValues(ctx, store.DefaultTenant, kim.ID, schema.AuthorizationScopes)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "b", "c"}, got); diff != "" {
		t.Errorf("scopes of kim through nested groups (-want +got):\n%s", diff)
	}
	if got, _ := s.GroupValues(ctx, store.DefaultTenant, outer.ID, schema.AuthorizationScopes); len(got) != 0 {
		t.Errorf("scopes of a group in no group = %v", got)
	}
}

func testCountLacking(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustCreate(t, s, store.DefaultTenant, newUser("a"))
	b := newUser("b")
	b.Doc["urn:example:ext"] = map[string]any{"x": "1"}
	mustCreate(t, s, store.DefaultTenant, b)
	if err := s.CreateTenant(ctx, "example.com"); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, "example.com", newUser("c"))
	for key, want := range map[string]int{"urn:example:ext": 2, "userName": 0, "nickName": 3} {
		if n, err := s.CountLacking(ctx, schema.UserType, key); err != nil || n != want {
			t.Errorf("CountLacking(%q) = %d, %v; want %d", key, n, err, want)
		}
	}
}
