// Package scimdtest starts a real scimd for the tests of package client and
// command scim: internal/server over internal/store/sqlstore, on an SQLite
// file in a temporary directory, served by net/http/httptest under a path
// prefix. Nothing in it is a fake: every request is answered by scimd's own
// handler and store. Degraded puts a thin middleware in front that hides
// scimd's optional features, for tests of how clients cope without them.
//
// It is imported by tests only.
package scimdtest

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimd/scimd/internal/auth"
	"github.com/scimd/scimd/internal/server"
	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/internal/store/sqlstore"
	"github.com/scimd/scimd/scim/schema"
)

// Prefix is the path scimd is mounted under, so that a client that builds
// an absolute path instead of resolving against its base URL misses it.
const Prefix = "/api/prefix"

// The bootstrap administrator of every tenant, who holds every scope.
const (
	AdminUser     = server.AdminUserName
	AdminPassword = "admin-secret"
)

// fastHash keeps tests quick; scimd's default is auth.DefaultParams.
var fastHash = auth.Params{Memory: 64, Time: 1, Threads: 1}

// Options configure a Server. The zero value is scimd with its defaults.
type Options struct {
	// Limits are the limits scimd advertises and enforces.
	Limits server.Limits
	// Profile is the compatibility profile of requests whose credentials
	// name none ("rfc", "entra" or "okta"); default rfc.
	Profile string
	// SelfRegistration lets anyone create a user with POST /Me.
	SelfRegistration bool
	// Wrap, if not nil, wraps scimd's handler, which then sees paths
	// without Prefix: Degraded{}.Wrap, or a middleware that records
	// requests.
	Wrap func(http.Handler) http.Handler
}

// Server is a running scimd.
type Server struct {
	// URL is the SCIM base URL of the default tenant, Root + "/scim2".
	URL string
	// Root is where scimd is mounted: the httptest server's URL + Prefix.
	Root string
	// Store is scimd's database, for creating what has no SCIM endpoint:
	// OAuth clients, API tokens, tenants.
	Store store.Store

	http    *httptest.Server
	reg     *schema.Registry
	hasher  *auth.Hasher
	dir     string
	outside atomic.Int64 // requests outside Prefix
}

// Start starts a Server that is closed when the test ends. The test fails
// if a request misses Prefix.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		if n := s.outside.Load(); n > 0 {
			t.Errorf("scimdtest: %d request(s) outside %s: a URL was not built from the base URL", n, Prefix)
		}
	})
	return s
}

// New starts a Server; the caller must Close it. Tests use Start; New is
// for examples, which have no *testing.T.
func New(opts Options) (_ *Server, err error) {
	dir, err := os.MkdirTemp("", "scimdtest-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	ctx := context.Background()
	reg, err := server.Registry()
	if err != nil {
		return nil, err
	}
	st, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(dir, "scimd.db"), sqlstore.Options{Registry: reg, Logger: discard})
	if err != nil {
		return nil, err
	}
	s := &Server{Store: st, reg: reg, hasher: auth.NewHasher(fastHash, 0), dir: dir}
	if _, err := server.Bootstrap(ctx, st, reg, s.hasher, store.DefaultTenant, AdminPassword, time.Now()); err != nil {
		st.Close()
		return nil, err
	}
	s.http = httptest.NewUnstartedServer(nil)
	s.Root = "http://" + s.http.Listener.Addr().String() + Prefix
	s.URL = s.Root + "/scim2"
	h, err := server.New(server.Config{
		Store: st, Registry: reg, BaseURL: s.Root, Hasher: s.hasher, Logger: discard,
		Limits: opts.Limits, Profile: opts.Profile, SelfRegistration: opts.SelfRegistration,
	})
	if err != nil {
		s.http.Close()
		st.Close()
		return nil, err
	}
	s.http.Config.Handler = s.mount(h, opts.Wrap)
	s.http.Start()
	return s, nil
}

var discard = slog.New(slog.DiscardHandler)

// mount serves h, wrapped, under Prefix, and counts requests elsewhere.
func (s *Server) mount(h http.Handler, wrap func(http.Handler) http.Handler) http.Handler {
	if wrap != nil {
		h = wrap(h)
	}
	mux := http.NewServeMux()
	mux.Handle(Prefix+"/", http.StripPrefix(Prefix, h))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.outside.Add(1)
		http.Error(w, "scimdtest: "+r.URL.Path+" is outside "+Prefix, http.StatusNotFound)
	})
	return mux
}

// Close stops the server and removes its database.
func (s *Server) Close() {
	s.http.Close()
	s.Store.Close()
	os.RemoveAll(s.dir)
}

// TokenURL returns the OAuth 2.0 token endpoint of tenant ("" for the
// default tenant).
func (s *Server) TokenURL(tenant string) string {
	if tenant == store.DefaultTenant {
		return s.Root + "/oauth2/token"
	}
	return s.Root + "/t/" + tenant + "/oauth2/token"
}

// TenantURL returns the SCIM base URL of tenant.
func (s *Server) TenantURL(tenant string) string {
	if tenant == store.DefaultTenant {
		return s.URL
	}
	return s.Root + "/t/" + tenant + "/scim2"
}

// AddTenant creates a tenant whose administrator, admin@DOMAIN, has the
// password AdminPassword.
func (s *Server) AddTenant(t testing.TB, domain string) {
	t.Helper()
	if _, err := server.Bootstrap(context.Background(), s.Store, s.reg, s.hasher, domain, AdminPassword, time.Now()); err != nil {
		t.Fatal(err)
	}
}

// AddOAuthClient stores an OAuth 2.0 client of tenant that may be granted
// scopes (auth.Scopes for all), as "scimd client create" does, and returns
// its id and secret.
func (s *Server) AddOAuthClient(t testing.TB, tenant string, scopes ...string) (id, secret string) {
	t.Helper()
	id, secret, err := s.NewOAuthClient(tenant, scopes...)
	if err != nil {
		t.Fatal(err)
	}
	return id, secret
}

// NewOAuthClient is AddOAuthClient for callers without a testing.TB.
func (s *Server) NewOAuthClient(tenant string, scopes ...string) (id, secret string, err error) {
	id, secret = "c_"+server.NewID(), auth.NewSecret()
	hash, err := s.hasher.Hash(context.Background(), secret)
	if err != nil {
		return "", "", err
	}
	c := &store.Client{ID: id, Name: id, SecretHash: hash, Scopes: scopes, Profile: server.ProfileRFC, Created: time.Now()}
	if err := s.Store.CreateClient(context.Background(), tenant, c); err != nil {
		return "", "", err
	}
	return id, secret, nil
}

// AddAPIToken stores a long-lived API token of tenant with scopes, as
// "scimd token create" does, and returns it.
func (s *Server) AddAPIToken(t testing.TB, tenant string, scopes ...string) string {
	t.Helper()
	tok, hash := auth.NewToken()
	rec := &store.Token{ID: server.NewID(), Hash: hash, Name: "scimdtest", Scopes: scopes, Profile: server.ProfileRFC, Created: time.Now()}
	if err := s.Store.CreateToken(context.Background(), tenant, rec); err != nil {
		t.Fatal(err)
	}
	return tok
}
