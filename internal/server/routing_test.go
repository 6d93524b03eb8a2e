package server_test

import (
	"strings"
	"testing"
)

func TestRouting(t *testing.T) {
	h := newHarness(t)
	h.do(req{path: "/scim2/Nope"}).scimError(t, 404, "", "/scim2/Nope")
	h.do(req{path: "/elsewhere"}).scimError(t, 404, "")
	r := h.do(req{method: "DELETE", path: "/scim2/Users"})
	r.scimError(t, 405, "", "DELETE")
	if allow := r.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
		t.Errorf("Allow = %q", allow)
	}
	h.do(req{method: "PATCH", path: "/scim2/ServiceProviderConfig"}).scimError(t, 405, "")
}

func TestHealth(t *testing.T) {
	h := newHarness(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		if r := h.do(req{path: p, noAuth: true}); r.status != 200 || string(r.raw) != "ok\n" {
			t.Errorf("GET %s = %d %q", p, r.status, r.raw)
		}
	}
	h.do(req{path: "/scim2/Users"})
	r := h.do(req{path: "/metrics", noAuth: true})
	if r.status != 200 || !strings.Contains(string(r.raw), `scimd_http_request_duration_seconds_count{code="200",method="GET",route="GET /scim2/Users"}`) {
		t.Errorf("GET /metrics = %d, without the request histogram:\n%.2000s", r.status, r.raw)
	}
}
