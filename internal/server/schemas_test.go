package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/scimd/scimd/internal/auth"
	"github.com/scimd/scimd/internal/schemaconfig"
	"github.com/scimd/scimd/internal/server"
	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/internal/store/sqlstore"
)

// The tests of configured schemas run scimd with the schema files of
// testdata/schemas, loaded as "scimd serve --schemas" loads them, and check
// that custom attributes and resource types behave like the built-in ones
// end to end: create, get, filter, sort, PATCH, Bulk and discovery, whose
// output is compared with the golden files of testdata/schemas/golden.

var updateGolden = flag.Bool("update", false, "rewrite the golden files of testdata/schemas/golden")

const (
	enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	badgeURN      = "urn:example:params:scim:schemas:extension:badge:2.0:User"
	deviceURN     = "urn:example:params:scim:schemas:core:2.0:Device"
)

// startWithSchemas starts a harness serving the schema configuration at
// path (a file or directory of testdata/schemas).
func startWithSchemas(t *testing.T, path string) *harness {
	t.Helper()
	cfg, err := schemaconfig.Load(path, server.ResourceTypes())
	if err != nil {
		t.Fatal(err)
	}
	return startHarness(t, server.Config{Registry: cfg.Registry})
}

// reopen starts scimd on the database file db with the schema
// configuration at path, as a restart with a changed configuration does,
// and stops it when the test ends or stop is called.
func reopen(t *testing.T, db, path string) (h *harness, stop func()) {
	t.Helper()
	ctx := context.Background()
	cfg, err := schemaconfig.Load(path, server.ResourceTypes())
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.Open(ctx, "sqlite:"+db, sqlstore.Options{Registry: cfg.Registry})
	if err != nil {
		t.Fatal(err)
	}
	if short, err := cfg.Shortfalls(ctx, st); err != nil || len(short) > 0 {
		st.Close()
		t.Fatalf("stored resources lack what the configuration requires: %q, %v", short, err)
	}
	hasher := auth.NewHasher(fastHash, 0)
	if _, err := server.Bootstrap(ctx, st, cfg.Registry, hasher, store.DefaultTenant, adminPassword, time.Now()); err != nil && !errors.Is(err, server.ErrAdminExists) {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	u := "http://" + ts.Listener.Addr().String()
	s, err := server.New(server.Config{Store: st, Registry: cfg.Registry, BaseURL: u, Hasher: hasher,
		Metrics: prometheus.NewRegistry(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = s
	ts.Start()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			ts.Close()
			st.Close()
		}
	}
	t.Cleanup(stop)
	return &harness{t: t, srv: ts, store: st, reg: cfg.Registry, url: u}, stop
}

// golden compares a discovery response with testdata/schemas/golden/name,
// as JSON values, with the server's URL replaced by https://scimd.test.
func (h *harness) golden(name, path string) {
	h.t.Helper()
	r := h.must(http.StatusOK, req{path: path, noAuth: true})
	got := decodeJSON(h.t, bytes.ReplaceAll(r.raw, []byte(h.url), []byte("https://scimd.test")))
	file := filepath.Join("testdata", "schemas", "golden", name)
	if *updateGolden {
		b, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(file, append(b, '\n'), 0o644); err != nil {
			h.t.Fatal(err)
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		h.t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if diff := cmp.Diff(got, decodeJSON(h.t, b)); diff != "" {
		h.t.Errorf("GET %s differs from %s (-got +want):\n%s", path, file, diff)
	}
}

func decodeJSON(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return v
}

// ext returns the value at a dotted path ("badges.0.value") inside an
// extension's object of the body, whose URN has dots of its own.
func (r *response) ext(urn, path string) any {
	obj, ok := r.body[urn].(map[string]any)
	if !ok {
		return nil
	}
	return (&response{body: obj}).path(path)
}

// ids returns the ids of the resources of a list response, in order.
func (r *response) ids() []string {
	list, _ := r.body["Resources"].([]any)
	out := []string{}
	for _, e := range list {
		id, _ := e.(map[string]any)["id"].(string)
		out = append(out, id)
	}
	return out
}

// filtered lists the resources at endpoint that match a filter, sorted
// as query (e.g. "&sortBy=...") says, and returns their ids.
func (h *harness) filtered(endpoint, filter, query string) []string {
	h.t.Helper()
	return h.must(http.StatusOK, req{path: "/scim2" + endpoint + "?filter=" + url.QueryEscape(filter) + query}).ids()
}

// sameIDs fails the test unless got holds want, in order.
func sameIDs(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func patchOp(ops ...string) string {
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + strings.Join(ops, ",") + `]}`
}

// bulk sends a Bulk request and returns the status code of each operation.
func (h *harness) bulk(ops ...string) []string {
	h.t.Helper()
	r := h.must(http.StatusOK, req{method: "POST", path: "/scim2/Bulk",
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[` + strings.Join(ops, ",") + `]}`})
	list, _ := r.body["Operations"].([]any)
	var out []string
	for _, o := range list {
		code := o.(map[string]any)["status"]
		if m, ok := code.(map[string]any); ok { // RFC 7644 §3.7.3's {"code": ...} form
			code = m["code"]
		}
		out = append(out, toString(code))
	}
	return out
}

func toString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}
