package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scimd/scimd/internal/auth"
	"github.com/scimd/scimd/internal/server"
	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/internal/store/sqlstore"
	"github.com/scimd/scimd/scim/schema"
)

// fastHash keeps tests quick; production uses auth.DefaultParams.
var fastHash = auth.Params{Memory: 64, Time: 1, Threads: 1}

const adminPassword = "admin-secret"

// harness is a real scimd (handler, SQLite in a temporary directory or a
// PostgreSQL database: see testDSN) behind an httptest server.
type harness struct {
	t     *testing.T
	srv   *httptest.Server
	store store.Store
	reg   *schema.Registry
	url   string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return startHarness(t, server.Config{})
}

// newHarnessWith starts a harness whose server reads the time from now.
func newHarnessWith(t *testing.T, now func() time.Time) *harness {
	t.Helper()
	return startHarness(t, server.Config{Now: now})
}

// newHarnessWithAdmin starts a harness whose admin has the given password.
func newHarnessWithAdmin(t *testing.T, password string) *harness {
	t.Helper()
	return startHarnessAdmin(t, server.Config{}, password)
}

// newHarnessWithProfile starts a harness with a default compatibility profile.
func newHarnessWithProfile(t *testing.T, profile string) *harness {
	t.Helper()
	return startHarness(t, server.Config{Profile: profile})
}

// startHarness starts a harness; cfg's zero fields get the harness's values.
func startHarness(t *testing.T, cfg server.Config) *harness {
	t.Helper()
	return startHarnessAdmin(t, cfg, adminPassword)
}

func startHarnessAdmin(t *testing.T, cfg server.Config, password string) *harness {
	t.Helper()
	reg := cfg.Registry
	if reg == nil {
		var err error
		if reg, err = server.Registry(); err != nil {
			t.Fatal(err)
		}
	}
	st, err := sqlstore.Open(context.Background(), testDSN(t), sqlstore.Options{Registry: reg, Exclusive: true}) // as scimd serve
	if err != nil {
		t.Fatal(err)
	}
	hasher := auth.NewHasher(fastHash, 0)
	if _, err := server.Bootstrap(context.Background(), st, reg, hasher, store.DefaultTenant, password, time.Now()); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	url := "http://" + ts.Listener.Addr().String()
	cfg.Store, cfg.Registry, cfg.BaseURL, cfg.Hasher = st, reg, url, hasher
	cfg.Metrics, cfg.Logger = prometheus.NewRegistry(), slog.New(slog.DiscardHandler)
	s, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = s
	ts.Start()
	t.Cleanup(func() { ts.Close(); st.Close() })
	return &harness{t: t, srv: ts, store: st, reg: reg, url: url}
}

// limitsOf returns Limits with the given bulk limits.
func limitsOf(maxOperations int, maxPayloadSize int64) server.Limits {
	return server.Limits{MaxOperations: maxOperations, MaxPayloadSize: maxPayloadSize}
}

// serverConfig lets tests set server options; the harness fills the rest.
type serverConfig = server.Config

// idOf2 finds the id of a user or group by name, as the admin.
func (h *harness) idOf2(kind, name string) string {
	h.t.Helper()
	path, attr := "/scim2/Users", "userName"
	if kind == "group" {
		path, attr = "/scim2/Groups", "displayName"
	}
	r := h.must(200, req{path: path + "?filter=" + url.QueryEscape(attr+" eq \""+name+"\"")})
	id, _ := r.path("Resources.0.id").(string)
	return id
}

// response is a received response with its body decoded when it is JSON.
type response struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// req describes a request; the zero value is an authenticated GET.
type req struct {
	method, path, body string
	user, password     string // default: the admin
	noAuth             bool
	header             map[string]string
}

func (h *harness) do(r req) *response {
	h.t.Helper()
	if r.method == "" {
		r.method = http.MethodGet
	}
	hr, err := http.NewRequest(r.method, h.url+r.path, strings.NewReader(r.body))
	if err != nil {
		h.t.Fatal(err)
	}
	if r.body != "" {
		hr.Header.Set("Content-Type", "application/scim+json")
	}
	if !r.noAuth {
		if r.user == "" {
			r.user, r.password = "admin", adminPassword
		}
		hr.SetBasicAuth(r.user, r.password)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	resp, err := h.srv.Client().Do(hr)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	out := &response{status: resp.StatusCode, header: resp.Header}
	out.raw, _ = io.ReadAll(resp.Body)
	if len(out.raw) > 0 && strings.Contains(resp.Header.Get("Content-Type"), "json") {
		d := json.NewDecoder(bytes.NewReader(out.raw))
		d.UseNumber()
		if err := d.Decode(&out.body); err != nil {
			h.t.Fatalf("%s %s: response is not a JSON object: %v\n%s", r.method, r.path, err, out.raw)
		}
	}
	return out
}

// must sends a request and fails the test unless the status is want.
func (h *harness) must(want int, r req) *response {
	h.t.Helper()
	resp := h.do(r)
	if resp.status != want {
		h.t.Fatalf("%s %s: status %d, want %d\n%s", r.method, r.path, resp.status, want, resp.raw)
	}
	return resp
}

// createUser creates a user and returns its id.
func (h *harness) createUser(body string) string {
	h.t.Helper()
	return h.must(http.StatusCreated, req{method: "POST", path: "/scim2/Users", body: body}).str("id")
}

func (h *harness) createGroup(body string) string {
	h.t.Helper()
	return h.must(http.StatusCreated, req{method: "POST", path: "/scim2/Groups", body: body}).str("id")
}

// str returns a top-level string member of the body.
func (r *response) str(key string) string {
	s, _ := r.body[key].(string)
	return s
}

// path returns the value at a dotted path of the body, e.g. "meta.version"
// or "emails.0.value".
func (r *response) path(p string) any {
	var v any = r.body
	for _, k := range strings.Split(p, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i := -1
			json.Unmarshal([]byte(k), &i)
			if i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// scimError checks that a response is an RFC 7644 §3.12 error with the
// given status and scimType, and a detail containing each fragment.
func (r *response) scimError(t *testing.T, status int, scimType string, fragments ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d\n%s", r.status, status, r.raw)
	}
	schemas, _ := r.body["schemas"].([]any)
	if len(schemas) != 1 || schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
		t.Errorf("error schemas = %v", r.body["schemas"])
	}
	if got := r.str("status"); got != http.StatusText(status) && got != itoa(status) {
		t.Errorf("error status member = %q, want %q", got, itoa(status))
	}
	if got := r.str("scimType"); got != scimType {
		t.Errorf("scimType = %q, want %q (detail %q)", got, scimType, r.str("detail"))
	}
	for _, f := range fragments {
		if !strings.Contains(r.str("detail"), f) {
			t.Errorf("detail %q does not mention %q", r.str("detail"), f)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// bootstrapTenant creates a tenant whose admin has the password adminPassword.
func (h *harness) bootstrapTenant(domain string) {
	h.t.Helper()
	h.bootstrapTenantWith(domain, adminPassword)
}

func (h *harness) bootstrapTenantWith(domain, password string) {
	h.t.Helper()
	if _, err := server.Bootstrap(context.Background(), h.store, h.reg, auth.NewHasher(fastHash, 0), domain, password, time.Now()); err != nil {
		h.t.Fatal(err)
	}
}

// userWithScopes creates, in a tenant, a user with a password and a group
// giving it the scopes.
func (h *harness) userWithScopes(tenant, name, password string, scopes ...string) {
	h.t.Helper()
	ctx := context.Background()
	hash, err := auth.NewHasher(fastHash, 0).Hash(ctx, password)
	if err != nil {
		h.t.Fatal(err)
	}
	now := time.Now()
	user := &store.Resource{Type: "User", ID: server.NewID(), Created: now, LastModified: now, Doc: map[string]any{"userName": name}}
	if err := h.store.Create(ctx, tenant, user, nil, hash); err != nil {
		h.t.Fatal(err)
	}
	list := make([]any, len(scopes))
	for i, sc := range scopes {
		list[i] = sc
	}
	group := &store.Resource{Type: "Group", ID: server.NewID(), Created: now, LastModified: now,
		Doc: map[string]any{"displayName": name + "-scopes", "urn:scimd:schemas:extension:authorization:2.0:Group": map[string]any{"scopes": list}}}
	if err := h.store.Create(ctx, tenant, group, []string{user.ID}, ""); err != nil {
		h.t.Fatal(err)
	}
}
