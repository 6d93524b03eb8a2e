package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/scimd/scimd/internal/scimdtest"
	"github.com/scimd/scimd/scim"
)

func TestUserLifecycle(t *testing.T) {
	ctx := context.Background()
	c, _ := setup(t, scimdtest.Options{})

	created, resp, err := c.Users.Create(ctx, &scim.User{
		UserName: "kim", Name: &scim.Name{GivenName: "Kim", FamilyName: "Jackson"},
		Emails:   []scim.MultiValue{{Value: "kim@example.com", Type: "work", Primary: true}},
		Password: "s3cret!",
	}, nil)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if resp.StatusCode != http.StatusCreated || created.ID == "" || created.Meta == nil {
		t.Fatalf("Create = %d %+v, want 201 with id and meta", resp.StatusCode, created)
	}
	if created.Password != "" {
		t.Errorf("Create returned the password")
	}
	if got, want := resp.ETag(), created.Meta.Version; got != want {
		t.Errorf("ETag() = %q, want meta.version %q", got, want)
	}

	got, _, err := c.Users.Get(ctx, created.ID, &GetOptions{Attributes: []string{"userName"}})
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if got.UserName != "kim" || got.Name != nil {
		t.Errorf("Get with attributes=userName = %+v, want userName only", got)
	}

	got.Title = "Tour Guide"
	replaced, _, err := c.Users.Replace(ctx, created.ID, got, &WriteOptions{IfMatch: created.Meta.Version})
	if err != nil {
		t.Fatalf("Replace: %v", err)
	}
	if replaced.Title != "Tour Guide" || replaced.Meta.Version == created.Meta.Version {
		t.Errorf("Replace = title %q version %q, want Tour Guide and a new version", replaced.Title, replaced.Meta.Version)
	}

	patched, _, err := c.Users.Patch(ctx, created.ID, new(Patch).Replace("active", false).Add("nickName", "K"),
		&WriteOptions{IfMatch: replaced.Meta.Version})
	if err != nil {
		t.Fatalf("Patch: %v", err)
	}
	if patched.Active == nil || *patched.Active || patched.NickName != "K" {
		t.Errorf("Patch = active %v nickName %q, want false and K", patched.Active, patched.NickName)
	}

	if _, err := c.Users.Delete(ctx, created.ID, &DeleteOptions{IfMatch: patched.Meta.Version}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, _, err = c.Users.Get(ctx, created.ID, nil)
	if !errors.Is(err, &scim.Error{Status: http.StatusNotFound}) {
		t.Errorf("Get after Delete = %v, want 404", err)
	}
}

func TestETagPreconditions(t *testing.T) {
	ctx := context.Background()
	c, _ := setup(t, scimdtest.Options{})
	u, _, err := c.Users.Create(ctx, &scim.User{UserName: "kim"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	stale := u.Meta.Version
	if _, _, err := c.Users.Patch(ctx, u.ID, new(Patch).Replace("title", "A"), nil); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		call func() error
	}{
		{"Replace", func() error {
			_, _, err := c.Users.Replace(ctx, u.ID, u, &WriteOptions{IfMatch: stale})
			return err
		}},
		{"Patch", func() error {
			_, _, err := c.Users.Patch(ctx, u.ID, new(Patch).Replace("title", "B"), &WriteOptions{IfMatch: stale})
			return err
		}},
		{"Delete", func() error {
			_, err := c.Users.Delete(ctx, u.ID, &DeleteOptions{IfMatch: stale})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !errors.Is(err, &scim.Error{Status: http.StatusPreconditionFailed}) {
				t.Fatalf("err = %v, want 412", err)
			}
			var se *scim.Error
			if !errors.As(err, &se) || se.Detail == "" {
				t.Errorf("errors.As(*scim.Error) = %+v, want the detail", se)
			}
		})
	}

	current, _, err := c.Users.Get(ctx, u.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Users.Get(ctx, u.ID, &GetOptions{IfNoneMatch: current.Meta.Version})
	if !errors.Is(err, ErrNotModified) {
		t.Errorf("Get with current If-None-Match = %v, want ErrNotModified", err)
	}
}

func TestSetETagQuotesBareTags(t *testing.T) {
	tests := []struct{ in, want string }{
		{`W/"3"`, `W/"3"`},
		{`"3"`, `"3"`},
		{`3`, `"3"`},
		{`*`, `*`},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(http.MethodPut, "https://x/", nil)
		setETag(req, "If-Match", tt.in)
		if got := req.Header.Get("If-Match"); got != tt.want {
			t.Errorf("setETag(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUniquenessError(t *testing.T) {
	ctx := context.Background()
	c, _ := setup(t, scimdtest.Options{})
	if _, _, err := c.Users.Create(ctx, &scim.User{UserName: "kim"}, nil); err != nil {
		t.Fatal(err)
	}
	_, _, err := c.Users.Create(ctx, &scim.User{UserName: "KIM"}, nil)
	if !errors.Is(err, &scim.Error{Status: http.StatusConflict, Type: scim.Uniqueness}) {
		t.Fatalf("second Create = %v, want 409 uniqueness", err)
	}
	var er *ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != http.StatusConflict {
		t.Errorf("errors.As(*ErrorResponse) = %v, want the 409 response", er)
	}
	if want := "POST " + c.BaseURL().String() + "Users: 409 Conflict (uniqueness)"; !strings.HasPrefix(err.Error(), "scim: "+want) {
		t.Errorf("Error() = %q, want it to start with %q", err, "scim: "+want)
	}
}

func TestInvalidIDs(t *testing.T) {
	ctx := context.Background()
	var rec scimdtest.Recorder
	c, _ := setup(t, scimdtest.Options{Wrap: rec.Wrap})
	for _, id := range []string{"", ".", ".."} {
		if _, _, err := c.Users.Get(ctx, id, nil); err == nil {
			t.Errorf("Get(%q) = nil error, want one", id)
		}
	}
	if n := len(rec.Requests("")); n != 0 {
		t.Errorf("%d requests sent for invalid ids, want none", n)
	}
	_, _, err := c.Users.Get(ctx, "a/b?c#d", nil)
	if !errors.Is(err, &scim.Error{Status: http.StatusNotFound}) {
		t.Fatalf("Get(a/b?c#d) = %v, want 404", err)
	}
	reqs := rec.Requests("")
	if len(reqs) != 1 || reqs[0].Path != "/scim2/Users/a%2Fb%3Fc%23d" || reqs[0].Query != "" {
		t.Errorf("requests = %+v, want one for the single path segment a%%2Fb%%3Fc%%23d", reqs)
	}
}

func TestPatchNoContent(t *testing.T) {
	// scimd's entra profile answers a group PATCH with 204 No Content, as
	// Microsoft Entra ID expects.
	ctx := context.Background()
	c, _ := setup(t, scimdtest.Options{Profile: "entra"})
	u := mustCreateUser(t, c, &scim.User{UserName: "kim"})
	g, _, err := c.Groups.Create(ctx, &scim.Group{DisplayName: "team"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	g, resp, err := c.Groups.Patch(ctx, g.ID, new(Patch).Add("members", []scim.Member{{Value: u.ID}}), nil)
	if err != nil || g != nil || resp.StatusCode != http.StatusNoContent {
		t.Errorf("Patch = %v, %v, %v; want nil group, 204, nil error", g, resp.StatusCode, err)
	}
}

func TestGenericResources(t *testing.T) {
	ctx := context.Background()
	c, _ := setup(t, scimdtest.Options{})
	users := c.Resources("/Users")
	created, _, err := users.Create(ctx, &scim.Resource{
		"userName":                "kim",
		scim.EnterpriseUserSchema: map[string]any{"employeeNumber": "701984"},
	}, nil)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if got, _ := created.Get(scim.EnterpriseUserSchema + ":employeeNumber"); got != "701984" || created.ID() == "" || created.Version() == "" {
		t.Errorf("Create = %v, want an id, a version and the employee number", *created)
	}
	if m := created.Meta(); m == nil || m.ResourceType != "User" || m.Created == nil {
		t.Errorf("Meta() = %+v", m)
	}
	got, _, err := users.Get(ctx, created.ID(), &GetOptions{Attributes: []string{"userName"}})
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if _, ok := got.Get(scim.EnterpriseUserSchema); ok {
		t.Errorf("Get with attributes=userName = %v, want no extension", *got)
	}
}

func TestCustomResourceType(t *testing.T) {
	c := setupHandler(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/Devices/d1" {
			t.Errorf("path = %q, want /Devices/d1", r.URL.Path)
		}
		w.Header().Set("Content-Type", scim.MediaType)
		io.WriteString(w, `{"id":"d1","serial":12345678901234567890}`)
	})
	d, _, err := c.Resources("/Devices").Get(context.Background(), "d1", nil)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if got, _ := d.Get("serial"); got == nil || got.(interface{ String() string }).String() != "12345678901234567890" {
		t.Errorf("serial = %v, want 12345678901234567890 exactly", got)
	}

	type device struct {
		ID     string `json:"id"`
		Serial uint64 `json:"serial"`
	}
	typed, _, err := NewResourceService[device](c, "Devices").Get(context.Background(), "d1", nil)
	if err != nil || typed.Serial != 12345678901234567890 {
		t.Errorf("typed Get = %+v, %v", typed, err)
	}
}

func TestMe(t *testing.T) {
	ctx := context.Background()
	admin, srv := setup(t, scimdtest.Options{SelfRegistration: true})
	kim := mustCreateUser(t, admin, &scim.User{UserName: "kim", Password: "kim-secret"})
	if _, _, err := admin.Groups.Create(ctx, &scim.Group{DisplayName: "team", Members: []scim.Member{{Value: kim.ID}}}, nil); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv.URL, (&BasicAuthTransport{Username: "kim", Password: "kim-secret"}).Client())

	u, _, err := c.Me.Get(ctx, nil)
	if err != nil || u.ID != kim.ID || len(u.Groups) != 1 {
		t.Fatalf("Get = %+v, %v; want kim, in a group", u, err)
	}
	// What Get returned can be written back, read-only groups included.
	u.NickName = "Kimmy"
	if u, _, err = c.Me.Replace(ctx, u, &WriteOptions{IfMatch: u.Meta.Version}); err != nil || u.NickName != "Kimmy" || len(u.Groups) != 1 {
		t.Fatalf("Replace = %+v, %v", u, err)
	}
	if u, _, err = c.Me.Patch(ctx, new(Patch).Replace("title", "Tour Guide"), nil); err != nil || u.Title != "Tour Guide" {
		t.Errorf("Patch = %+v, %v", u, err)
	}
	if _, err := c.Me.Delete(ctx, nil); err != nil {
		t.Errorf("Delete: %v", err)
	}
	if _, _, err := admin.Users.Get(ctx, kim.ID, nil); !errors.Is(err, &scim.Error{Status: http.StatusNotFound}) {
		t.Errorf("Get after Delete = %v, want 404", err)
	}

	// Self-registration is anonymous.
	anon := newClient(t, srv.URL, nil)
	if u, _, err := anon.Me.Create(ctx, &scim.User{UserName: "sam", Password: "sam-secret"}, nil); err != nil || u.ID == "" {
		t.Errorf("Create = %+v, %v", u, err)
	}
}
