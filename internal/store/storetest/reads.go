package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim/schema"
)

// testReadsAfterWrites reads resources before and after each kind of write
// that changes what a read returns — the resource's own, or its relations
// through a membership, a nested group, a display name or a delete — so a
// store that keeps what it read (SQLite opened Exclusive) must drop it.
func testReadsAfterWrites(t *testing.T, s store.Store) {
	ctx := context.Background()
	tenant := store.DefaultTenant
	kim := mustCreate(t, s, tenant, newUser("kim"))
	g := mustCreate(t, s, tenant, newGroup("g"))
	h := mustCreate(t, s, tenant, newGroup("h"))
	update := func(r *store.Resource, ch *store.Change) {
		t.Helper()
		_, err := s.Update(ctx, tenant, r.Type, r.ID, store.Load{}, store.Load{}, func(*store.Resource) (*store.Change, error) { return ch, nil })
		if err != nil {
			t.Fatal(err)
		}
	}
	groupsOf := func(r *store.Resource) []string {
		t.Helper()
		var out []string
		for _, g := range mustGet(t, s, tenant, r, store.Load{Groups: true}).Groups {
			out = append(out, fmt.Sprintf("%s %v", g.Display, g.Direct))
		}
		return out
	}
	membersOf := func(r *store.Resource) []string {
		t.Helper()
		return memberIDs(mustGet(t, s, tenant, r, store.Load{Members: true}).Members)
	}
	check := func(step string, want, got []string) {
		t.Helper()
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("after %s (-want +got):\n%s", step, diff)
		}
	}

	check("create", nil, groupsOf(kim))
	check("create", nil, membersOf(g))
	update(g, &store.Change{Members: &store.MemberChange{Add: []string{kim.ID}}})
	check("adding kim to g", []string{"g true"}, groupsOf(kim))
	check("adding kim to g", []string{kim.ID + "/User/kim"}, membersOf(g))

	update(h, &store.Change{Members: &store.MemberChange{Add: []string{g.ID}}})
	check("nesting g in h", []string{"g true", "h false"}, groupsOf(kim))

	update(h, &store.Change{Doc: map[string]any{"displayName": "h2"}, LastModified: t0})
	check("renaming h", []string{"g true", "h2 false"}, groupsOf(kim))

	update(kim, &store.Change{Doc: map[string]any{"userName": "kim2"}, LastModified: t0})
	check("renaming kim", []string{kim.ID + "/User/kim2"}, membersOf(g))
	if got := mustGet(t, s, tenant, kim, store.Load{}); got.Doc["userName"] != "kim2" || got.Version != 2 || got.Groups != nil {
		t.Errorf("kim after renaming, without relations: %+v", got)
	}

	lee := mustCreate(t, s, tenant, newUser("lee"))
	check("before lee joins", nil, groupsOf(lee))
	mustCreate(t, s, tenant, newGroup("f"), lee.ID)
	check("creating f with lee", []string{"f true"}, groupsOf(lee))

	if err := s.Delete(ctx, tenant, h.Type, h.ID, nil); err != nil {
		t.Fatal(err)
	}
	check("deleting h", []string{"g true"}, groupsOf(kim))
	if err := s.Delete(ctx, tenant, kim.Type, kim.ID, nil); err != nil {
		t.Fatal(err)
	}
	check("deleting kim", nil, membersOf(g))
	if _, err := s.Get(ctx, tenant, kim.Type, kim.ID, store.Load{}); err != store.ErrNotFound {
		t.Errorf("Get of deleted kim: %v, want ErrNotFound", err)
	}
}

// testConcurrentReadsAfterWrites has readers Get a resource while a writer
// changes it: once an Update has returned, no Get that starts after it
// returns an older version.
func testConcurrentReadsAfterWrites(t *testing.T, s store.Store) {
	ctx := context.Background()
	tenant := store.DefaultTenant
	kim := mustCreate(t, s, tenant, newUser("kim"))
	var written atomic.Int64 // the version the last returned Update wrote
	written.Store(1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				floor := written.Load()
				got, err := s.Get(ctx, tenant, kim.Type, kim.ID, store.Load{Groups: true})
				if err == nil && got.Version < floor {
					err = fmt.Errorf("Get returned version %d after version %d was written", got.Version, floor)
				}
				if err == nil && got.Version > 1 && got.Doc["nickName"] != fmt.Sprint(got.Version) {
					err = fmt.Errorf("version %d holds nickName %v", got.Version, got.Doc["nickName"])
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for v := int64(2); v <= 200; v++ {
		r, err := s.Update(ctx, tenant, kim.Type, kim.ID, store.Load{}, store.Load{}, func(*store.Resource) (*store.Change, error) {
			return &store.Change{Doc: map[string]any{"userName": "kim", "nickName": fmt.Sprint(v)}, LastModified: t0}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		written.Store(r.Version)
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// testSortMissingValues sorts users by userName when some lack one (a
// store holds what it is given; configuration can make an attribute
// required after resources lacking it were stored): those sort last
// ascending and first descending, on every page.
func testSortMissingValues(t *testing.T, s store.Store, reg *schema.Registry) {
	ctx := context.Background()
	var named, unnamed []string
	for _, name := range []string{"dee", "Bo", "al", "cy", "Ed"} {
		named = append(named, mustCreate(t, s, store.DefaultTenant, newUser(name)).ID)
	}
	for range 2 {
		u := newUser("")
		delete(u.Doc, "userName")
		unnamed = append(unnamed, mustCreate(t, s, store.DefaultTenant, u).ID)
	}
	ascending := append([]string{named[2], named[1], named[3], named[0], named[4]}, unnamed...)
	descending := append([]string{unnamed[1], unnamed[0]}, named[4], named[0], named[3], named[1], named[2])
	p, _ := reg.ResourceType(schema.UserType).Resolve("userName")
	for _, desc := range []bool{false, true} {
		want := ascending
		if desc {
			want = descending
		}
		for off := range len(want) {
			for _, count := range []int{1, 2, 3} {
				page, err := s.List(ctx, store.DefaultTenant, store.Query{Types: []store.Selection{{Type: schema.UserType, SortBy: &p}}, Descending: desc, Offset: off, Count: count})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, r := range page.Resources {
					got = append(got, r.ID)
				}
				if diff := cmp.Diff(want[off:min(off+count, len(want))], got); diff != "" || page.Total != len(want) {
					t.Errorf("desc=%v offset %d count %d: total %d, page (-want +got):\n%s", desc, off, count, page.Total, diff)
				}
			}
		}
	}
}
