package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimd/scimd/scim"
)

// runSuite checks the client against a service provider, which may be any:
// newClient returns a Client for an empty one, with permission to manage
// Users and Groups. The suite reads the ServiceProviderConfig and checks
// that optional features the service provider lacks degrade as documented.
//
// scimd_test.go runs it against scimd, with and without its optional
// features; a run against another service provider is one more function.
func runSuite(t *testing.T, newClient func(t *testing.T) *Client) {
	tests := []struct {
		name string
		run  func(t *testing.T, c *Client, cfg *scim.ServiceProviderConfig)
	}{
		{"UserLifecycle", suiteUserLifecycle},
		{"Uniqueness", suiteUniqueness},
		{"FilterQuoting", suiteFilterQuoting},
		{"Search", suiteSearch},
		{"Pagination", suitePagination},
		{"Sort", suiteSort},
		{"GroupMembers", suiteGroupMembers},
		{"ETags", suiteETags},
		{"Bulk", suiteBulk},
		{"Discovery", suiteDiscovery},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t)
			cfg, _, err := c.Discovery.ServiceProviderConfig(context.Background())
			if err != nil {
				t.Fatalf("ServiceProviderConfig: %v", err)
			}
			tt.run(t, c, cfg)
		})
	}
}

var suiteSeq atomic.Int64

// unique returns a name no other suite run uses.
func unique(prefix string) string { return fmt.Sprintf("%s-%d", prefix, suiteSeq.Add(1)) }

func mustCreateUser(t *testing.T, c *Client, u *scim.User) *scim.User {
	t.Helper()
	got, _, err := c.Users.Create(context.Background(), u, nil)
	if err != nil {
		t.Fatalf("Create(%s): %v", u.UserName, err)
	}
	return got
}

// ifMatch returns the entity tag to send, if the service provider uses them.
func ifMatch(cfg *scim.ServiceProviderConfig, m *scim.Meta) string {
	if !cfg.ETag.Supported || m == nil {
		return ""
	}
	return m.Version
}

func suiteUserLifecycle(t *testing.T, c *Client, cfg *scim.ServiceProviderConfig) {
	ctx := context.Background()
	name := unique("kim")
	u := mustCreateUser(t, c, &scim.User{
		UserName: name, Name: &scim.Name{GivenName: "Kim", FamilyName: "Jackson"},
		Emails:     []scim.MultiValue{{Value: name + "@example.com", Type: "work", Primary: true}},
		Enterprise: &scim.EnterpriseUser{EmployeeNumber: "701984"},
	})
	if u.ID == "" || u.Enterprise == nil || u.Enterprise.EmployeeNumber != "701984" {
		t.Fatalf("Create = %+v, want an id and the enterprise extension", u)
	}
	u.Title = "Tour Guide"
	u, _, err := c.Users.Replace(ctx, u.ID, u, &WriteOptions{IfMatch: ifMatch(cfg, u.Meta)})
	if err != nil || u.Title != "Tour Guide" {
		t.Fatalf("Replace = %+v, %v", u, err)
	}
	p := new(Patch).Replace("active", false).ReplaceWhere("emails", Eq("type", "work"), "value", "new-"+name+"@example.com")
	if cfg.Patch.Supported {
		u, _, err = c.Users.Patch(ctx, u.ID, p, &WriteOptions{IfMatch: ifMatch(cfg, u.Meta)})
		if err != nil || u.Active == nil || *u.Active || u.Emails[0].Value != "new-"+name+"@example.com" {
			t.Fatalf("Patch = %+v, %v", u, err)
		}
	}
	if _, err := c.Users.Delete(ctx, u.ID, &DeleteOptions{IfMatch: ifMatch(cfg, u.Meta)}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, _, err := c.Users.Get(ctx, u.ID, nil); !errors.Is(err, &scim.Error{Status: http.StatusNotFound}) {
		t.Errorf("Get after Delete = %v, want 404", err)
	}
}

func suiteUniqueness(t *testing.T, c *Client, _ *scim.ServiceProviderConfig) {
	name := unique("dup")
	mustCreateUser(t, c, &scim.User{UserName: name})
	_, _, err := c.Users.Create(context.Background(), &scim.User{UserName: name}, nil)
	if !errors.Is(err, &scim.Error{Status: http.StatusConflict, Type: scim.Uniqueness}) {
		t.Errorf("duplicate Create = %v, want 409 uniqueness", err)
	}
}

func suiteFilterQuoting(t *testing.T, c *Client, _ *scim.ServiceProviderConfig) {
	base := unique("o")
	hostile := base + `"brien" or userName pr or "x`
	mustCreateUser(t, c, &scim.User{UserName: hostile})
	mustCreateUser(t, c, &scim.User{UserName: base + "ther"})
	list, _, err := c.Users.List(context.Background(), &ListOptions{Filter: Eq("userName", hostile)})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if list.TotalResults != 1 || len(list.Resources) != 1 || list.Resources[0].UserName != hostile {
		t.Errorf("filter for %q matched %d users, want exactly that one", hostile, list.TotalResults)
	}
}

func suiteSearch(t *testing.T, c *Client, _ *scim.ServiceProviderConfig) {
	name := unique("search")
	mustCreateUser(t, c, &scim.User{UserName: name, Title: "Tour Guide"})
	list, _, err := c.Users.Search(context.Background(), &ListOptions{
		Filter: Eq("userName", name), Attributes: []string{"userName"},
	})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if list.TotalResults != 1 || len(list.Resources) != 1 || list.Resources[0].UserName != name || list.Resources[0].Title != "" {
		t.Errorf("Search = %+v, want %s alone, with userName only", list.Resources, name)
	}
}

func suitePagination(t *testing.T, c *Client, _ *scim.ServiceProviderConfig) {
	prefix := unique("page")
	var want []string
	for i := range 7 {
		want = append(want, fmt.Sprintf("%s-%d", prefix, i))
		mustCreateUser(t, c, &scim.User{UserName: want[i]})
	}
	var got []string
	for u, err := range c.Users.All(context.Background(), &ListOptions{Filter: Sw("userName", prefix), Count: 3}) {
		if err != nil {
			t.Fatalf("All: %v", err)
		}
		got = append(got, u.UserName)
	}
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("walked users (-want +got):\n%s", diff)
	}
}

func suiteSort(t *testing.T, c *Client, cfg *scim.ServiceProviderConfig) {
	prefix := unique("sort")
	for _, s := range []string{"b", "c", "a"} {
		mustCreateUser(t, c, &scim.User{UserName: prefix + s})
	}
	opts := &ListOptions{Filter: Sw("userName", prefix), SortBy: "userName", SortOrder: Descending}
	list, _, err := c.Users.List(context.Background(), opts)
	var se *scim.Error
	switch {
	case !cfg.Sort.Supported && errors.As(err, &se):
		return // sortBy is refused, as it may be (501 Not Implemented)
	case err != nil:
		t.Fatalf("List sorted: %v", err)
	}
	var got []string
	for _, u := range list.Resources {
		got = append(got, u.UserName)
	}
	want := []string{prefix + "c", prefix + "b", prefix + "a"}
	if !cfg.Sort.Supported {
		slices.Sort(got) // sortBy is ignored, as it may be; the users are all there
		slices.Reverse(got)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
}

func suiteGroupMembers(t *testing.T, c *Client, cfg *scim.ServiceProviderConfig) {
	ctx := context.Background()
	a := mustCreateUser(t, c, &scim.User{UserName: unique("a")})
	b := mustCreateUser(t, c, &scim.User{UserName: unique("b")})
	g, _, err := c.Groups.Create(ctx, &scim.Group{DisplayName: unique("team"), Members: []scim.Member{{Value: a.ID}, {Value: b.ID}}}, nil)
	if err != nil {
		t.Fatalf("Create group: %v", err)
	}
	if !cfg.Patch.Supported {
		return
	}
	id := g.ID
	g, _, err = c.Groups.Patch(ctx, id, new(Patch).RemoveWhere("members", Eq("value", a.ID), ""), nil)
	if err != nil {
		t.Fatalf("Patch: %v", err)
	}
	if g == nil { // 204 No Content
		if g, _, err = c.Groups.Get(ctx, id, nil); err != nil {
			t.Fatal(err)
		}
	}
	if len(g.Members) != 1 || g.Members[0].Value != b.ID {
		t.Errorf("members = %+v, want only %s", g.Members, b.ID)
	}
}

func suiteETags(t *testing.T, c *Client, cfg *scim.ServiceProviderConfig) {
	ctx := context.Background()
	u := mustCreateUser(t, c, &scim.User{UserName: unique("etag")})
	if !cfg.ETag.Supported {
		if _, _, err := c.Users.Replace(ctx, u.ID, u, nil); err != nil {
			t.Errorf("Replace without If-Match: %v", err)
		}
		return
	}
	stale := u.Meta.Version
	u.Title = "Tour Guide"
	if _, _, err := c.Users.Replace(ctx, u.ID, u, &WriteOptions{IfMatch: stale}); err != nil {
		t.Fatalf("Replace: %v", err)
	}
	u.Title = "Guide"
	_, _, err := c.Users.Replace(ctx, u.ID, u, &WriteOptions{IfMatch: stale})
	if !errors.Is(err, &scim.Error{Status: http.StatusPreconditionFailed}) {
		t.Errorf("Replace with a stale If-Match = %v, want 412", err)
	}
	cur, _, err := c.Users.Get(ctx, u.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Users.Get(ctx, u.ID, &GetOptions{IfNoneMatch: cur.Meta.Version}); !errors.Is(err, ErrNotModified) {
		t.Errorf("Get with the current If-None-Match = %v, want ErrNotModified", err)
	}
}

func suiteBulk(t *testing.T, c *Client, cfg *scim.ServiceProviderConfig) {
	name := unique("bulk")
	ops, err := new(BulkOps).
		Post("/Users", "u", &scim.User{UserName: name}).
		Post("/Groups", "g", &scim.Group{DisplayName: name, Members: []scim.Member{{Value: BulkRef("u")}}}).
		Operations()
	if err != nil {
		t.Fatal(err)
	}
	items, err := c.Bulk.Execute(context.Background(), ops, nil)
	if !cfg.Bulk.Supported {
		if !errors.Is(err, ErrBulkUnsupported) {
			t.Errorf("Execute = %v, want ErrBulkUnsupported", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	for i, it := range items {
		if it.Err != nil || it.ID == "" {
			t.Fatalf("item %d = %+v", i, it)
		}
	}
	g, _, err := c.Groups.Get(context.Background(), items[1].ID, nil)
	if err != nil || len(g.Members) != 1 || g.Members[0].Value != items[0].ID {
		t.Errorf("group = %+v, %v; want the bulk-created user as member", g, err)
	}
}

func suiteDiscovery(t *testing.T, c *Client, _ *scim.ServiceProviderConfig) {
	ctx := context.Background()
	types, _, err := c.Discovery.ResourceTypes(ctx)
	if err != nil {
		t.Fatalf("ResourceTypes: %v", err)
	}
	var names []string
	for _, rt := range types {
		names = append(names, rt.Name)
	}
	for _, want := range []string{"User", "Group"} {
		if !slices.Contains(names, want) {
			t.Errorf("resource types %v lack %s", names, want)
		}
	}
	if _, _, err := c.Discovery.Schemas(ctx); err != nil {
		t.Errorf("Schemas: %v", err)
	}
}
