package storetest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/filter"
	"github.com/scimd/scimd/scim/schema"
)

// testLimits checks what every backend refuses, so that all of them store
// the same data (PostgreSQL can't hold U+0000 in text, nor long values in
// its indexes), and that strings no backend can store find nothing.
func testLimits(t *testing.T, s store.Store, reg *schema.Registry) {
	ctx := context.Background()
	isBadRequest := func(err error) bool {
		var se *scim.Error
		return errors.As(err, &se) && se.Status == http.StatusBadRequest
	}
	for name, userName := range map[string]string{
		"U+0000":                  "kim\x00",
		"a long indexed value":    strings.Repeat("k", 2001),
		"U+0000 in another value": "", // set below
	} {
		u := newUser(userName)
		if userName == "" {
			u = newUser("lee")
			u.Doc["nickName"] = "\x00"
		}
		if err := s.Create(ctx, store.DefaultTenant, u, nil, ""); !isBadRequest(err) {
			t.Errorf("Create with %s = %v, want a 400 *scim.Error", name, err)
		}
	}
	kim := mustCreate(t, s, store.DefaultTenant, newUser(strings.Repeat("k", 2000)))
	_, err := s.Update(ctx, store.DefaultTenant, kim.Type, kim.ID, store.Load{}, store.Load{}, func(r *store.Resource) (*store.Change, error) {
		return &store.Change{Doc: map[string]any{"userName": "kim\x00"}, LastModified: t0}, nil
	})
	if !isBadRequest(err) {
		t.Errorf("Update to a userName with U+0000 = %v, want a 400 *scim.Error", err)
	}

	for _, bad := range []string{"\xff", "x\x00"} {
		if _, err := s.Get(ctx, store.DefaultTenant, schema.UserType, bad, store.Load{}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get(%q) = %v, want ErrNotFound", bad, err)
		}
		if err := s.Delete(ctx, bad, schema.UserType, kim.ID, nil); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Delete in tenant %q = %v, want ErrNotFound", bad, err)
		}
		if _, err := s.Credential(ctx, store.DefaultTenant, bad); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Credential(%q) = %v, want ErrNotFound", bad, err)
		}
		if _, err := s.Client(ctx, store.DefaultTenant, bad); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Client(%q) = %v, want ErrNotFound", bad, err)
		}
		if ok, err := s.TenantExists(ctx, bad); ok || err != nil {
			t.Errorf("TenantExists(%q) = %v, %v; want false", bad, ok, err)
		}
		var me *store.MemberError
		if err := s.Create(ctx, store.DefaultTenant, newGroup("g"), []string{bad}, ""); !errors.As(err, &me) {
			t.Errorf("Create with the member %q = %v, want a *MemberError", bad, err)
		}
	}

	e, err := filter.Parse(`userName gt "\u0000"`)
	if err == nil {
		e, err = filter.Bind(e, reg.ResourceType(schema.UserType))
	}
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.List(ctx, store.DefaultTenant, store.Query{Types: []store.Selection{{Type: schema.UserType, Filter: e}}, Count: 10})
	if !isBadRequest(err) {
		t.Errorf("List with a filter comparing with U+0000 = %v, want a 400 *scim.Error", err)
	}
}
