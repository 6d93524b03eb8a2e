package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"

	"github.com/scimd/scimd/internal/auth"
	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/schema"
)

// Config configures a Server. Store, Registry and BaseURL are required.
type Config struct {
	Store store.Store
	// Registry is what the server serves: Registry(), or the built-in
	// ResourceTypes with configured extensions and resource types. Every
	// resource type needs Scopes that the authorization extension lists.
	Registry *schema.Registry
	// BaseURL is the absolute URL scimd is reached at, without a trailing
	// slash (e.g. https://id.example.com); it prefixes meta.location,
	// Location and $ref.
	BaseURL string
	Logger  *slog.Logger     // defaults to slog.Default()
	Now     func() time.Time // defaults to time.Now
	Hasher  *auth.Hasher     // defaults to auth.DefaultParams, one slot per CPU
	// Metrics registers the server's Prometheus metrics; nil skips them.
	Metrics prometheus.Registerer
	Limits  Limits
	// Profile is the compatibility profile (ProfileRFC, ProfileEntra or
	// ProfileOkta) for credentials that don't name their own; default rfc.
	Profile string
	// TokenTTL is the lifetime of the token endpoint's access tokens
	// (default one hour).
	TokenTTL time.Duration
	// SelfRegistration lets anyone create a user with POST /Me (off by
	// default).
	SelfRegistration bool
	// ExternalJWT accepts bearer tokens of an external identity provider.
	ExternalJWT *ExternalJWT
	// CredentialTTL is how long verified Basic credentials are remembered
	// (default 5s): a change of a user's groups or scopes made by another
	// process takes effect within it; password changes and deletions made
	// through this server take effect at once.
	CredentialTTL time.Duration
}

// Limits are the limits advertised in ServiceProviderConfig (SPEC §7).
type Limits struct {
	MaxResults     int   // filter.maxResults and the largest page; default 200
	MaxOperations  int   // bulk.maxOperations; default 1000
	MaxPayloadSize int64 // bulk.maxPayloadSize; default 1 MiB
	MaxBodySize    int64 // request bodies outside Bulk; default 2 MiB
}

func (l *Limits) setDefaults() {
	if l.MaxResults <= 0 {
		l.MaxResults = 200
	}
	if l.MaxOperations <= 0 {
		l.MaxOperations = 1000
	}
	if l.MaxPayloadSize <= 0 {
		l.MaxPayloadSize = 1 << 20
	}
	if l.MaxBodySize <= 0 {
		l.MaxBodySize = 2 << 20
	}
}

// Server serves the SCIM API. Create it with New.
type Server struct {
	store            store.Store
	reg              *schema.Registry
	baseURL          string
	log              *slog.Logger
	now              func() time.Time
	hasher           *auth.Hasher
	limits           Limits
	profile          string
	creds            *auth.Cache
	logins           singleflight.Group // concurrent verifications of one credential
	bulkSlots        chan struct{}      // one per Bulk request being run
	keys             *keyring
	tokenTTL         time.Duration
	external         *external
	selfRegistration bool
	throttle         struct {
		account *lockout       // shared by every scimd on the database
		address *auth.Throttle // this process's own
	}

	cursorSecret atomic.Pointer[[]byte] // the key sealing cursors, once read
	metrics      *metrics
	handler      http.Handler

	tenantsMu sync.RWMutex
	tenants   map[string]bool // known tenants; tenants are never deleted
}

// New returns a Server for cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Registry == nil || cfg.BaseURL == "" {
		return nil, errors.New("server: Config needs Store, Registry and BaseURL")
	}
	if err := checkScopes(cfg.Registry); err != nil {
		return nil, err
	}
	s := &Server{
		store: cfg.Store, reg: cfg.Registry, baseURL: strings.TrimRight(cfg.BaseURL, "/"),
		log: cfg.Logger, now: cfg.Now, hasher: cfg.Hasher, limits: cfg.Limits, profile: cfg.Profile,
		tenants:   map[string]bool{store.DefaultTenant: true},
		bulkSlots: make(chan struct{}, max(4, 2*runtime.GOMAXPROCS(0))),
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.hasher == nil {
		s.hasher = auth.NewHasher(auth.DefaultParams, 0)
	}
	s.limits.setDefaults()
	switch s.profile {
	case "":
		s.profile = ProfileRFC
	case ProfileRFC, ProfileEntra, ProfileOkta:
	default:
		return nil, fmt.Errorf("server: unknown compatibility profile %q (want rfc, entra or okta)", s.profile)
	}
	ttl := cfg.CredentialTTL
	if ttl <= 0 {
		ttl = 5 * time.Second
	}
	s.creds = auth.NewCache(ttl, s.now)
	s.tokenTTL = cfg.TokenTTL
	if s.tokenTTL <= 0 {
		s.tokenTTL = time.Hour
	}
	s.keys = newKeyring(s.store, s.now, s.tokenTTL)
	s.selfRegistration = cfg.SelfRegistration
	// An account (or client) may be tried 10 times from one address and
	// 100 times in all in 15 minutes, and an address may fail 100 times in
	// 5 minutes: enough for people, not for guessing.
	s.throttle.account = &lockout{st: s.store, perSource: 10, perAccount: 100, window: 15 * time.Minute, now: s.now}
	s.throttle.address = auth.NewThrottle(100, 5*time.Minute, s.now)
	var err error
	if s.external, err = newExternal(cfg.ExternalJWT, s.now); err != nil {
		return nil, err
	}
	m, err := newMetrics(cfg.Metrics, cfg.Store)
	if err != nil {
		return nil, err
	}
	s.metrics = m
	s.handler = s.observe(s.routes())
	return s, nil
}

// ServeHTTP serves the SCIM API and the health endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// request is what an endpoint knows about the request it serves.
type request struct {
	tenant string
	prefix string // "/scim2" or "/t/{domain}/scim2"
	rt     *schema.ResourceType
	who    *principal // nil on endpoints without authentication
}

// handlerFunc is an endpoint; a returned error becomes the SCIM error response.
type handlerFunc func(w http.ResponseWriter, r *http.Request, req *request) error

// endpoint describes how a route is served.
type endpoint struct {
	rt        *schema.ResourceType
	scope     string // the permission required; "" for any authenticated caller
	anonymous bool   // no authentication
	bodyLimit int64  // 0: Limits.MaxBodySize; < 0: the handler's own
	h         handlerFunc
}

// serve wraps an endpoint with the checks every SCIM request gets, in order:
// the tenant exists, the response can be JSON, a body is JSON and within its
// limit, the caller is authenticated and holds the endpoint's scope.
func (s *Server) serve(e endpoint) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.serveEndpoint(w, r, e); err != nil {
			s.writeError(w, r, err)
		}
	})
}

func (s *Server) serveEndpoint(w http.ResponseWriter, r *http.Request, e endpoint) error {
	req := &request{rt: e.rt, prefix: "/scim2"}
	if d := r.PathValue("tenant"); d != "" {
		req.tenant, req.prefix = d, "/t/"+d+"/scim2"
	}
	if err := s.checkTenant(r.Context(), req.tenant); err != nil {
		return err
	}
	if !acceptable(r) {
		return &scim.Error{Status: http.StatusNotAcceptable, Detail: "the response is JSON: accept application/scim+json or application/json"}
	}
	if err := checkContentType(r); err != nil {
		return err
	}
	switch limit := e.bodyLimit; {
	case limit == 0:
		r.Body = http.MaxBytesReader(w, r.Body, s.limits.MaxBodySize)
	case limit > 0:
		r.Body = http.MaxBytesReader(w, r.Body, limit)
	} // < 0: the endpoint enforces its own limit
	if !e.anonymous {
		who, err := s.authenticate(r, req.tenant)
		if err != nil {
			return err
		}
		if e.scope != "" && !who.has(e.scope) {
			if who.bearer {
				w.Header().Set("WWW-Authenticate", `Bearer realm="scimd", error="insufficient_scope", scope="`+e.scope+`"`)
			}
			return &scim.Error{Status: http.StatusForbidden, Detail: "this request needs the scope " + e.scope + ", which " + who.name() + " does not hold"}
		}
		req.who = who
	}
	return e.h(w, r, req)
}

// checkContentType refuses a request body that isn't JSON (415).
func checkContentType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" || (r.ContentLength == 0 && r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch) {
		return nil
	}
	mt, _, _ := strings.Cut(ct, ";")
	switch strings.ToLower(strings.TrimSpace(mt)) {
	case scim.MediaType, "application/json":
		return nil
	}
	return &scim.Error{Status: http.StatusUnsupportedMediaType, Detail: "send the request body as application/scim+json or application/json, not " + ct}
}

// checkTenant accepts the default tenant and existing tenants; others get 404.
func (s *Server) checkTenant(ctx context.Context, domain string) error {
	s.tenantsMu.RLock()
	known := s.tenants[domain]
	s.tenantsMu.RUnlock()
	if known {
		return nil
	}
	ok, err := s.store.TenantExists(ctx, domain)
	if err != nil {
		return err
	}
	if !ok {
		return &scim.Error{Status: http.StatusNotFound, Detail: "no tenant " + domain}
	}
	s.tenantsMu.Lock()
	s.tenants[domain] = true
	s.tenantsMu.Unlock()
	return nil
}
