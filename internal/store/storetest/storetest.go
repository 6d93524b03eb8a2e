// Package storetest is the conformance suite of store.Store: every backend
// runs it, so that all of them behave the same.
//
//	func TestStore(t *testing.T) { storetest.Run(t, newStore) }
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim/schema"
)

// NewStore returns an empty store using the given registry; the suite
// closes it.
type NewStore func(t *testing.T, reg *schema.Registry) store.Store

// Run runs the conformance suite.
func Run(t *testing.T, newStore NewStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"CreateGet", testCreateGet},
		{"NotFound", testNotFound},
		{"UniqueUserName", testUniqueUserName},
		{"Update", testUpdate},
		{"UpdateNoChange", testUpdateNoChange},
		{"UpdateError", testUpdateError},
		{"Password", testPassword},
		{"Delete", testDelete},
		{"Members", testMembers},
		{"MemberErrors", testMemberErrors},
		{"NestedGroups", testNestedGroups},
		{"DeleteLeavesGroups", testDeleteLeavesGroups},
		{"List", testList},
		{"ConcurrentPagedLists", testConcurrentPagedLists},
		{"Tenants", testTenants},
		{"ConcurrentMemberAdds", testConcurrentMemberAdds},
		{"ConcurrentCreatesSameName", testConcurrentCreatesSameName},
		{"ReadsAfterWrites", testReadsAfterWrites},
		{"ConcurrentReadsAfterWrites", testConcurrentReadsAfterWrites},
		{"GroupValues", testGroupValues},
		{"Clients", testClients},
		{"Tokens", testTokens},
		{"SigningKeys", testSigningKeys},
		{"CountLacking", testCountLacking},
		{"LoginAttempts", testLoginAttempts},
		{"ConcurrentLoginAttempts", testConcurrentLoginAttempts},
	}
	reg := registry(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t, reg)
			t.Cleanup(func() { s.Close() })
			tt.fn(t, s)
		})
	}
	t.Run("FilterCases", func(t *testing.T) {
		s := newStore(t, reg)
		t.Cleanup(func() { s.Close() })
		testFilterCases(t, s, reg)
	})
	t.Run("Limits", func(t *testing.T) {
		s := newStore(t, reg)
		t.Cleanup(func() { s.Close() })
		testLimits(t, s, reg)
	})
	t.Run("SortMissingValues", func(t *testing.T) {
		s := newStore(t, reg)
		t.Cleanup(func() { s.Close() })
		testSortMissingValues(t, s, reg)
	})
	t.Run("Sort", func(t *testing.T) {
		s := newStore(t, reg)
		t.Cleanup(func() { s.Close() })
		testSort(t, s, reg)
	})
}

// ignoreShared compares resources apart from whether a store shares them.
var ignoreShared = cmpopts.IgnoreFields(store.Resource{}, "Memo")

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)

func newUser(userName string) *store.Resource {
	return &store.Resource{
		Type: schema.UserType, ID: uuid.Must(uuid.NewV7()).String(), Created: t0, LastModified: t0,
		Doc: map[string]any{"userName": userName, "name": map[string]any{"givenName": "Kim"}},
	}
}

func newGroup(name string) *store.Resource {
	return &store.Resource{
		Type: schema.GroupType, ID: uuid.Must(uuid.NewV7()).String(), Created: t0, LastModified: t0,
		Doc: map[string]any{"displayName": name},
	}
}

func mustCreate(t *testing.T, s store.Store, tenant string, r *store.Resource, members ...string) *store.Resource {
	t.Helper()
	if err := s.Create(context.Background(), tenant, r, members, ""); err != nil {
		t.Fatalf("Create %s: %v", r.Type, err)
	}
	return r
}

func mustGet(t *testing.T, s store.Store, tenant string, r *store.Resource, load store.Load) *store.Resource {
	t.Helper()
	got, err := s.Get(context.Background(), tenant, r.Type, r.ID, load)
	if err != nil {
		t.Fatalf("Get %s %s: %v", r.Type, r.ID, err)
	}
	return got
}

func testCreateGet(t *testing.T, s store.Store) {
	u := mustCreate(t, s, store.DefaultTenant, newUser("kim"))
	if u.Version != 1 {
		t.Errorf("Version after Create = %d, want 1", u.Version)
	}
	got := mustGet(t, s, store.DefaultTenant, u, store.Load{})
	if diff := cmp.Diff(u, got, ignoreShared); diff != "" {
		t.Errorf("Get after Create (-want +got):\n%s", diff)
	}
}

func testNotFound(t *testing.T, s store.Store) {
	ctx := context.Background()
	u := mustCreate(t, s, store.DefaultTenant, newUser("kim"))
	if err := s.CreateTenant(ctx, "example.com"); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, tenant, typ, id string }{
		{"unknown id", store.DefaultTenant, schema.UserType, uuid.NewString()},
		{"other tenant", "example.com", schema.UserType, u.ID},
		{"other type", store.DefaultTenant, schema.GroupType, u.ID},
		{"not a uuid", store.DefaultTenant, schema.UserType, "x'; DROP TABLE resources; --"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := s.Get(ctx, c.tenant, c.typ, c.id, store.Load{}); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Get = %v, want ErrNotFound", err)
			}
			if err := s.Delete(ctx, c.tenant, c.typ, c.id, nil); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Delete = %v, want ErrNotFound", err)
			}
			_, err := s.Update(ctx, c.tenant, c.typ, c.id, store.Load{}, store.Load{}, func(*store.Resource) (*store.Change, error) {
				t.Error("Update called fn for a missing resource")
				return nil, nil
			})
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Update = %v, want ErrNotFound", err)
			}
		})
	}
}

func testUniqueUserName(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustCreate(t, s, store.DefaultTenant, newUser("Kim"))
	err := s.Create(ctx, store.DefaultTenant, newUser("kIM"), nil, "")
	var ue *store.UniqueError
	if !errors.Is(err, store.ErrConflict) || !errors.As(err, &ue) || ue.Attr != "userName" {
		t.Fatalf("Create with userName in another case = %v, want a *UniqueError on userName", err)
	}
	if err := s.CreateTenant(ctx, "example.com"); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, "example.com", newUser("kim")) // another tenant: allowed
	// Renaming onto a taken name conflicts too, and changes nothing.
	other := mustCreate(t, s, store.DefaultTenant, newUser("lee"))
	_, err = s.Update(ctx, store.DefaultTenant, schema.UserType, other.ID, store.Load{}, store.Load{}, func(r *store.Resource) (*store.Change, error) {
		return &store.Change{Doc: map[string]any{"userName": "KIM"}, LastModified: t0}, nil
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("rename onto a taken userName = %v, want ErrConflict", err)
	}
	if got := mustGet(t, s, store.DefaultTenant, other, store.Load{}); got.Doc["userName"] != "lee" || got.Version != 1 {
		t.Errorf("after the failed rename: userName %v version %d, want lee 1", got.Doc["userName"], got.Version)
	}
	// The freed name can be taken once its holder is renamed.
	_, err = s.Update(ctx, store.DefaultTenant, schema.UserType, other.ID, store.Load{}, store.Load{}, func(r *store.Resource) (*store.Change, error) {
		return &store.Change{Doc: map[string]any{"userName": "lee2"}, LastModified: t0}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, store.DefaultTenant, newUser("LEE"))
}

func testUpdate(t *testing.T, s store.Store) {
	ctx := context.Background()
	u := mustCreate(t, s, store.DefaultTenant, newUser("kim"))
	t1 := t0.Add(time.Hour)
	got, err := s.Update(ctx, store.DefaultTenant, u.Type, u.ID, store.Load{}, store.Load{}, func(r *store.Resource) (*store.Change, error) {
		if r.Version != 1 || r.Doc["userName"] != "kim" {
			t.Errorf("fn saw version %d userName %v, want 1 kim", r.Version, r.Doc["userName"])
		}
		return &store.Change{Doc: map[string]any{"userName": "kim", "nickName": "kimmy"}, LastModified: t1}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || !got.LastModified.Equal(t1) || !got.Created.Equal(t0) || got.Doc["nickName"] != "kimmy" {
		t.Errorf("Update returned version %d lastModified %v created %v nickName %v", got.Version, got.LastModified, got.Created, got.Doc["nickName"])
	}
	if diff := cmp.Diff(got, mustGet(t, s, store.DefaultTenant, u, store.Load{}), ignoreShared); diff != "" {
		t.Errorf("Get after Update (-returned +stored):\n%s", diff)
	}
}

func testUpdateNoChange(t *testing.T, s store.Store) {
	ctx := context.Background()
	u := mustCreate(t, s, store.DefaultTenant, newUser("kim"))
	for _, ch := range []*store.Change{nil, {Doc: u.Doc, LastModified: t0.Add(time.Hour)}} {
		got, err := s.Update(ctx, store.DefaultTenant, u.Type, u.ID, store.Load{}, store.Load{}, func(r *store.Resource) (*store.Change, error) { return ch, nil })
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 1 || !got.LastModified.Equal(t0) {
			t.Errorf("Update changing nothing: version %d lastModified %v, want 1 %v", got.Version, got.LastModified, t0)
		}
	}
}

func testUpdateError(t *testing.T, s store.Store) {
	ctx := context.Background()
	u := mustCreate(t, s, store.DefaultTenant, newUser("kim"))
	boom := errors.New("boom")
	_, err := s.Update(ctx, store.DefaultTenant, u.Type, u.ID, store.Load{}, store.Load{}, func(r *store.Resource) (*store.Change, error) {
		return &store.Change{Doc: map[string]any{"userName": "changed"}}, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want fn's error", err)
	}
	if got := mustGet(t, s, store.DefaultTenant, u, store.Load{}); got.Doc["userName"] != "kim" {
		t.Errorf("userName after a failed Update = %v, want kim", got.Doc["userName"])
	}
}

func testPassword(t *testing.T, s store.Store) {
	ctx := context.Background()
	u := newUser("Kim@Example.com")
	if err := s.Create(ctx, store.DefaultTenant, u, nil, "hash1"); err != nil {
		t.Fatal(err)
	}
	check := func(want string) {
		t.Helper()
		c, err := s.Credential(ctx, store.DefaultTenant, "kim@EXAMPLE.com")
		if err != nil {
			t.Fatal(err)
		}
		if c.ID != u.ID || c.UserName != "Kim@Example.com" || c.PasswordHash != want {
			t.Errorf("Credential = %+v, want id %s userName Kim@Example.com hash %q", c, u.ID, want)
		}
	}
	check("hash1")
	h := "hash2"
	got, err := s.Update(ctx, store.DefaultTenant, u.Type, u.ID, store.Load{}, store.Load{}, func(r *store.Resource) (*store.Change, error) {
		return &store.Change{PasswordHash: &h, LastModified: t0.Add(time.Minute)}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 {
		t.Errorf("version after a password change = %d, want 2", got.Version)
	}
	check("hash2")
	if _, err := s.Credential(ctx, store.DefaultTenant, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Credential of an unknown user = %v, want ErrNotFound", err)
	}
}

func testDelete(t *testing.T, s store.Store) {
	ctx := context.Background()
	u := mustCreate(t, s, store.DefaultTenant, newUser("kim"))
	stale := func(v int64) error {
		if v != 7 {
			return store.ErrVersionMismatch
		}
		return nil
	}
	if err := s.Delete(ctx, store.DefaultTenant, u.Type, u.ID, stale); !errors.Is(err, store.ErrVersionMismatch) {
		t.Errorf("Delete with a stale version = %v, want ErrVersionMismatch", err)
	}
	if got := mustGet(t, s, store.DefaultTenant, u, store.Load{}); got.Version != 1 {
		t.Errorf("version after a refused Delete = %d, want 1", got.Version)
	}
	var seen int64
	if err := s.Delete(ctx, store.DefaultTenant, u.Type, u.ID, func(v int64) error { seen = v; return nil }); err != nil {
		t.Fatal(err)
	}
	if seen != 1 {
		t.Errorf("Delete's match saw version %d, want 1", seen)
	}
	if _, err := s.Get(ctx, store.DefaultTenant, u.Type, u.ID, store.Load{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get after Delete = %v, want ErrNotFound", err)
	}
	mustCreate(t, s, store.DefaultTenant, newUser("kim")) // the userName is free again
}

func memberIDs(ms []store.Member) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.ID+"/"+m.Type+"/"+m.Display)
	}
	return out
}

func testMembers(t *testing.T, s store.Store) {
	ctx := context.Background()
	kim := mustCreate(t, s, store.DefaultTenant, newUser("kim"))
	lee := mustCreate(t, s, store.DefaultTenant, newUser("lee"))
	sub := mustCreate(t, s, store.DefaultTenant, newGroup("sub"))
	g := mustCreate(t, s, store.DefaultTenant, newGroup("eng"), kim.ID, sub.ID)
	got := mustGet(t, s, store.DefaultTenant, g, store.Load{Members: true})
	want := []string{kim.ID + "/User/kim", sub.ID + "/Group/sub"}
	if diff := cmp.Diff(want, memberIDs(got.Members)); diff != "" {
		t.Errorf("members after Create (-want +got):\n%s", diff)
	}
	if got := mustGet(t, s, store.DefaultTenant, g, store.Load{}); got.Members != nil {
		t.Errorf("members loaded without Load.Members: %v", got.Members)
	}
	change := func(ch store.MemberChange) *store.Resource {
		t.Helper()
		r, err := s.Update(ctx, store.DefaultTenant, g.Type, g.ID, store.Load{}, store.Load{Members: true}, func(*store.Resource) (*store.Change, error) {
			return &store.Change{Members: &ch, LastModified: t0.Add(time.Hour)}, nil
		})
		if err != nil {
			t.Fatalf("Update members %+v: %v", ch, err)
		}
		return r
	}
	r := change(store.MemberChange{Add: []string{lee.ID, kim.ID}}) // kim is already a member
	if r.Version != 2 || len(r.Members) != 3 {
		t.Errorf("after adding lee: version %d members %v", r.Version, memberIDs(r.Members))
	}
	if r := change(store.MemberChange{Add: []string{lee.ID}, Remove: []string{uuid.NewString()}}); r.Version != 2 {
		t.Errorf("adding a present member and removing an absent one changed the version to %d", r.Version)
	}
	r = change(store.MemberChange{Remove: []string{kim.ID}})
	if diff := cmp.Diff([]string{lee.ID + "/User/lee", sub.ID + "/Group/sub"}, sortStrings(memberIDs(r.Members), lee.ID+"/User/lee")); diff != "" {
		t.Errorf("after removing kim (-want +got):\n%s", diff)
	}
	r = change(store.MemberChange{RemoveAll: true, Add: []string{kim.ID}})
	if diff := cmp.Diff([]string{kim.ID + "/User/kim"}, memberIDs(r.Members)); diff != "" {
		t.Errorf("after replacing all members (-want +got):\n%s", diff)
	}
}

// sortStrings puts first at the front, keeping the others' order; member
// order is by insertion, which the test controls only partly.
func sortStrings(s []string, first string) []string {
	out := []string{}
	for _, x := range s {
		if x == first {
			out = append([]string{x}, out...)
		} else {
			out = append(out, x)
		}
	}
	return out
}

func testMemberErrors(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.CreateTenant(ctx, "example.com"); err != nil {
		t.Fatal(err)
	}
	foreign := mustCreate(t, s, "example.com", newUser("kim"))
	missing := uuid.NewString()
	err := s.Create(ctx, store.DefaultTenant, newGroup("g"), []string{foreign.ID, missing}, "")
	var me *store.MemberError
	if !errors.Is(err, store.ErrMemberNotFound) || !errors.As(err, &me) {
		t.Fatalf("Create with missing members = %v, want a *MemberError", err)
	}
	if diff := cmp.Diff([]string{foreign.ID, missing}, me.IDs); diff != "" {
		t.Errorf("MemberError.IDs (-want +got):\n%s", diff)
	}
	page, err := s.List(ctx, store.DefaultTenant, store.Query{Types: []store.Selection{{Type: schema.GroupType}}, Count: 10})
	if err != nil || page.Total != 0 {
		t.Errorf("groups after the failed Create: %v, %v; want none", page, err)
	}
	g := mustCreate(t, s, store.DefaultTenant, newGroup("g"))
	_, err = s.Update(ctx, store.DefaultTenant, g.Type, g.ID, store.Load{}, store.Load{}, func(*store.Resource) (*store.Change, error) {
		return &store.Change{Members: &store.MemberChange{Add: []string{g.ID}}}, nil
	})
	if !errors.Is(err, store.ErrSelfMember) {
		t.Errorf("adding a group to itself = %v, want ErrSelfMember", err)
	}
}

func testNestedGroups(t *testing.T, s store.Store) {
	kim := mustCreate(t, s, store.DefaultTenant, newUser("kim"))
	a := mustCreate(t, s, store.DefaultTenant, newGroup("a"), kim.ID)
	b := mustCreate(t, s, store.DefaultTenant, newGroup("b"), a.ID, kim.ID)
	c := mustCreate(t, s, store.DefaultTenant, newGroup("c"), b.ID)
	// A cycle: a is a member of c as well.
	_, err := s.Update(context.Background(), store.DefaultTenant, a.Type, c.ID, store.Load{}, store.Load{}, func(*store.Resource) (*store.Change, error) {
		return &store.Change{Members: &store.MemberChange{Add: []string{a.ID}}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := mustGet(t, s, store.DefaultTenant, kim, store.Load{Groups: true})
	var refs []string
	for _, g := range got.Groups {
		refs = append(refs, fmt.Sprintf("%s %v", g.Display, g.Direct))
	}
	if diff := cmp.Diff([]string{"a true", "b true", "c false"}, refs); diff != "" {
		t.Errorf("groups of kim (-want +got):\n%s", diff)
	}
}

func testDeleteLeavesGroups(t *testing.T, s store.Store) {
	ctx := context.Background()
	kim := mustCreate(t, s, store.DefaultTenant, newUser("kim"))
	lee := mustCreate(t, s, store.DefaultTenant, newUser("lee"))
	g := mustCreate(t, s, store.DefaultTenant, newGroup("g"), kim.ID, lee.ID)
	if err := s.Delete(ctx, store.DefaultTenant, kim.Type, kim.ID, nil); err != nil {
		t.Fatal(err)
	}
	got := mustGet(t, s, store.DefaultTenant, g, store.Load{Members: true})
	if diff := cmp.Diff([]string{lee.ID + "/User/lee"}, memberIDs(got.Members)); diff != "" {
		t.Errorf("members after deleting kim (-want +got):\n%s", diff)
	}
	if got.Version != 2 {
		t.Errorf("group version after its member was deleted = %d, want 2", got.Version)
	}
	if err := s.Delete(ctx, store.DefaultTenant, g.Type, g.ID, nil); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, s, store.DefaultTenant, lee, store.Load{Groups: true}); len(got.Groups) != 0 {
		t.Errorf("groups of lee after the group was deleted: %v", got.Groups)
	}
}

func testList(t *testing.T, s store.Store) {
	ctx := context.Background()
	var ids []string
	for i := range 7 {
		ids = append(ids, mustCreate(t, s, store.DefaultTenant, newUser(fmt.Sprintf("user%d", i))).ID)
	}
	mustCreate(t, s, store.DefaultTenant, newGroup("not a user"))
	cases := []struct {
		name          string
		offset, count int
		want          []string
	}{
		{"first page", 0, 3, ids[0:3]},
		{"middle page", 3, 3, ids[3:6]},
		{"last page", 6, 3, ids[6:]},
		{"past the end", 9, 3, nil},
		{"count zero", 0, 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			page, err := s.List(ctx, store.DefaultTenant, store.Query{Types: []store.Selection{{Type: schema.UserType}}, Offset: c.offset, Count: c.count})
			if err != nil {
				t.Fatal(err)
			}
			if page.Total != 7 {
				t.Errorf("Total = %d, want 7", page.Total)
			}
			got := []string{}
			for _, r := range page.Resources {
				got = append(got, r.ID)
			}
			if diff := cmp.Diff(append([]string{}, c.want...), got); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
}

// testConcurrentPagedLists lists pages that more resources follow, with
// their relations, from many goroutines at once: more than a store keeps
// connections, so a page that held its connection while loading the
// relations through another would deadlock.
func testConcurrentPagedLists(t *testing.T, s store.Store) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := range 5 {
		mustCreate(t, s, store.DefaultTenant, newUser(fmt.Sprintf("user%d", i)))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 64 {
		wg.Go(func() {
			q := store.Query{Types: []store.Selection{{Type: schema.UserType}}, Count: 2, Load: store.Load{Groups: true}}
			page, err := s.List(ctx, store.DefaultTenant, q)
			if err == nil && (len(page.Resources) != 2 || !page.More) {
				err = fmt.Errorf("a page of %d, more: %v; want 2 and more", len(page.Resources), page.More)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err) // context.DeadlineExceeded: the lists deadlocked
		}
	}
}

func testTenants(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, d := range []string{store.DefaultTenant} {
		if ok, err := s.TenantExists(ctx, d); err != nil || !ok {
			t.Errorf("TenantExists(%q) = %v, %v; want true", d, ok, err)
		}
	}
	if ok, _ := s.TenantExists(ctx, "example.com"); ok {
		t.Error("TenantExists(example.com) before CreateTenant = true")
	}
	if err := s.CreateTenant(ctx, "example.com"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.TenantExists(ctx, "example.com"); !ok {
		t.Error("TenantExists(example.com) after CreateTenant = false")
	}
	if err := s.CreateTenant(ctx, "example.com"); !errors.Is(err, store.ErrTenantExists) {
		t.Errorf("second CreateTenant = %v, want ErrTenantExists", err)
	}
}

// testConcurrentMemberAdds checks that concurrent read-modify-write updates
// of one group lose nothing.
func testConcurrentMemberAdds(t *testing.T, s store.Store) {
	ctx := context.Background()
	g := mustCreate(t, s, store.DefaultTenant, newGroup("g"))
	const n = 50
	users := make([]string, n)
	for i := range users {
		users[i] = mustCreate(t, s, store.DefaultTenant, newUser(fmt.Sprintf("u%d", i))).ID
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for _, id := range users {
		wg.Go(func() {
			_, err := s.Update(ctx, store.DefaultTenant, g.Type, g.ID, store.Load{}, store.Load{}, func(r *store.Resource) (*store.Change, error) {
				doc := map[string]any{"displayName": "g", "externalId": id} // a doc write too
				return &store.Change{Doc: doc, Members: &store.MemberChange{Add: []string{id}}}, nil
			})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := mustGet(t, s, store.DefaultTenant, g, store.Load{Members: true})
	if len(got.Members) != n || got.Version != n+1 {
		t.Errorf("after %d concurrent adds: %d members, version %d; want %d, %d", n, len(got.Members), got.Version, n, n+1)
	}
}

func testConcurrentCreatesSameName(t *testing.T, s store.Store) {
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() { errs <- s.Create(context.Background(), store.DefaultTenant, newUser("same"), nil, "") })
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("Create = %v, want nil or ErrConflict", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d concurrent creates of one userName succeeded, want 1", ok)
	}
}
