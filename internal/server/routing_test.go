package server_test

import (
	"fmt"
	"os"
	"regexp"
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
	id := h.createUser(`{"userName":"kim"}`)
	for range 3 {
		h.must(200, req{path: "/scim2/Users/" + id})
	}
	r := h.do(req{path: "/metrics", noAuth: true})
	if r.status != 200 || !strings.Contains(string(r.raw), `scimd_http_request_duration_seconds_count{code="200",method="GET",route="GET /scim2/Users"}`) {
		t.Errorf("GET /metrics = %d, without the request histogram:\n%.2000s", r.status, r.raw)
	}
	// On SQLite the server keeps the user it read: one read, then two hits.
	cache := regexp.MustCompile(`(?m)^scimd_resource_cache_(hits|misses)_total (\d+)$`).FindAllStringSubmatch(string(r.raw), -1)
	if os.Getenv(envBackend) == "postgres" {
		if len(cache) != 0 {
			t.Errorf("cache metrics on PostgreSQL, which keeps no resources: %q", cache)
		}
	} else if fmt.Sprint(cache) != "[[scimd_resource_cache_hits_total 2 hits 2] [scimd_resource_cache_misses_total 1 misses 1]]" {
		t.Errorf("cache metrics: %q", cache)
	}
}
