package client

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/scimd/scimd/internal/auth"
	"github.com/scimd/scimd/internal/scimdtest"
	"github.com/scimd/scimd/scim"
)

func TestTransports(t *testing.T) {
	srv := scimdtest.Start(t, scimdtest.Options{})
	srv.AddTenant(t, "test.com")
	tenantAdmin := newClient(t, srv.TenantURL("test.com"),
		(&BasicAuthTransport{Username: scimdtest.AdminUser + "@test.com", Password: scimdtest.AdminPassword}).Client())
	mustCreateUser(t, tenantAdmin, &scim.User{UserName: "kim@test.com", Password: "kim:pass"})

	tests := []struct {
		name    string
		rt      http.RoundTripper
		baseURL string
		want    int
	}{
		// A userName with "@" on a tenant's path, and a password with ":";
		// kim holds no scope, so is authenticated but not allowed.
		{"basic", &BasicAuthTransport{Username: "kim@test.com@test.com", Password: "kim:pass"}, srv.TenantURL("test.com"), http.StatusForbidden},
		{"bearer", &BearerTokenTransport{Token: srv.AddAPIToken(t, "", auth.UserList)}, srv.URL, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, tt.baseURL+"/Users?count=0", nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := (&http.Client{Transport: tt.rt}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
			if req.Header.Get("Authorization") != "" {
				t.Error("the transport modified the caller's request")
			}
		})
	}
	// kim holds no scope, but /Me is every user's.
	kim := newClient(t, srv.TenantURL("test.com"), (&BasicAuthTransport{Username: "kim@test.com@test.com", Password: "kim:pass"}).Client())
	if me, _, err := kim.Me.Get(context.Background(), nil); err != nil || me.UserName != "kim@test.com" {
		t.Errorf("Me = %+v, %v; want kim@test.com", me, err)
	}
	wrong := newClient(t, srv.URL, (&BasicAuthTransport{Username: "admin", Password: "wrong"}).Client())
	if _, _, err := wrong.Users.List(context.Background(), nil); !errors.Is(err, &scim.Error{Status: http.StatusUnauthorized}) {
		t.Errorf("List with a wrong password = %v, want 401", err)
	}
}

func TestClientCredentials(t *testing.T) {
	for _, tenant := range []string{"", "example.com"} {
		t.Run("tenant "+tenant, func(t *testing.T) {
			var rec scimdtest.Recorder
			srv := scimdtest.Start(t, scimdtest.Options{Wrap: rec.Wrap})
			if tenant != "" {
				srv.AddTenant(t, tenant)
			}
			id, secret := srv.AddOAuthClient(t, tenant, auth.Scopes...)
			hc := &http.Client{Timeout: 7 * time.Second}
			cfg := &clientcredentials.Config{
				ClientID: id, ClientSecret: secret, TokenURL: srv.TokenURL(tenant),
				Scopes: []string{auth.UserList},
			}
			authed := ClientCredentials(context.Background(), cfg, hc)
			if authed.Timeout != hc.Timeout {
				t.Errorf("Timeout = %v, want the base client's %v", authed.Timeout, hc.Timeout)
			}
			c := newClient(t, srv.TenantURL(tenant), authed)
			for range 3 {
				if _, _, err := c.Users.List(context.Background(), nil); err != nil {
					t.Fatalf("List: %v", err)
				}
			}
			if n := len(rec.Requests("/oauth2/token")); n != 1 {
				t.Errorf("%d token requests for 3 SCIM requests, want 1", n)
			}
			// The token holds the requested scope alone.
			_, _, err := c.Users.Create(context.Background(), &scim.User{UserName: "kim"}, nil)
			if !errors.Is(err, &scim.Error{Status: http.StatusForbidden}) {
				t.Errorf("Create = %v, want 403: the token has only %s", err, auth.UserList)
			}
		})
	}
}
