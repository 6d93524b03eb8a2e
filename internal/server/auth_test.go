package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

func TestAuthentication(t *testing.T) {
	h := newHarness(t)
	h.createUser(`{"userName":"kim@example.org","password":"pw"}`)
	cases := []struct {
		name   string
		r      req
		status int
	}{
		{"no credentials", req{path: "/scim2/Users", noAuth: true}, 401},
		{"empty Basic", req{path: "/scim2/Users", noAuth: true, header: map[string]string{"Authorization": "Basic "}}, 401},
		{"Basic garbage", req{path: "/scim2/Users", noAuth: true, header: map[string]string{"Authorization": "Basic !!!"}}, 401},
		{"Bearer without token", req{path: "/scim2/Users", noAuth: true, header: map[string]string{"Authorization": "Bearer"}}, 401},
		{"wrong password", req{path: "/scim2/Users", user: "admin", password: "nope"}, 401},
		{"unknown user", req{path: "/scim2/Users", user: "nobody", password: "nope"}, 401},
		{"user name in another case", req{path: "/scim2/Users", user: "ADMIN", password: adminPassword}, 200},
		{"user without scopes", req{path: "/scim2/Users", user: "kim@example.org", password: "pw"}, 403},
		{"e-mail style user name", req{path: "/scim2/ServiceProviderConfig", user: "kim@example.org", password: "pw"}, 200},
		{"unknown tenant", req{path: "/t/nowhere.org/scim2/Users"}, 404},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.do(c.r)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.raw)
			}
			if c.status == 401 {
				r.scimError(t, 401, "")
				if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic realm=") {
					t.Errorf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
				}
			}
			if c.status == 403 {
				r.scimError(t, 403, "", "internal_user_mgt_list")
			}
		})
	}
}

func TestTenantLogin(t *testing.T) {
	h := newHarness(t)
	h.bootstrapTenant("test.com")
	body := `{"schemas":[],"name":{"familyName":"jayawardana","givenName":"vindula"},"userName":"pavinaa","password":"vindula","emails":[{"primary":true,"value":"vindula_home.com","type":"home"},{"value":"vindula_work.com","type":"work"}]}`
	r := h.must(http.StatusCreated, req{method: "POST", path: "/t/test.com/scim2/Users", body: body, user: "admin@test.com", password: adminPassword})
	if !strings.HasPrefix(r.header.Get("Location"), h.url+"/t/test.com/scim2/Users/") {
		t.Errorf("Location = %q", r.header.Get("Location"))
	}
	// A tenant's credentials don't work on another tenant's paths.
	h.must(http.StatusUnauthorized, req{path: "/scim2/Users", user: "admin@test.com", password: adminPassword})
	h.bootstrapTenant("other.org")
	h.must(http.StatusUnauthorized, req{path: "/t/other.org/scim2/Users", user: "admin@test.com", password: adminPassword})
	h.must(http.StatusUnauthorized, req{path: "/t/test.com/scim2/Users", user: "pavinaa", password: "wrong"})
	h.must(http.StatusForbidden, req{path: "/t/test.com/scim2/Users", user: "pavinaa@test.com", password: "vindula"})
	// The same userName in two tenants.
	h.createUser(`{"userName":"pavinaa"}`)
}

func TestGrantingScopesNeedsThem(t *testing.T) {
	h := newHarness(t)
	// A user who may create groups but holds no other scope.
	kim := h.createUser(`{"userName":"kim","password":"pw"}`)
	h.createGroup(`{"displayName":"creators","members":[{"value":"` + kim + `"}],
		"urn:scimd:schemas:extension:authorization:2.0:Group":{"scopes":["internal_group_mgt_create"]}}`)
	h.must(http.StatusCreated, req{method: "POST", path: "/scim2/Groups", body: `{"displayName":"plain"}`, user: "kim", password: "pw"})
	h.do(req{method: "POST", path: "/scim2/Groups", user: "kim", password: "pw",
		body: `{"displayName":"escalate","urn:scimd:schemas:extension:authorization:2.0:Group":{"scopes":["internal_user_mgt_delete"]}}`}).
		scimError(t, 403, "", "internal_user_mgt_delete")
	h.do(req{method: "POST", path: "/scim2/Groups",
		body: `{"displayName":"typo","urn:scimd:schemas:extension:authorization:2.0:Group":{"scopes":["internal_user_mgt_delet"]}}`}).
		scimError(t, 400, "invalidValue", "internal_user_mgt_delet")
}
