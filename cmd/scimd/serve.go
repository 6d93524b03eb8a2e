package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/scimd/scimd/internal/auth"
	"github.com/scimd/scimd/internal/server"
	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/internal/store/sqlstore"
	"github.com/scimd/scimd/scim/schema"
)

// serveConfig is the configuration of scimd serve.
type serveConfig struct {
	addr, db, adminPassword, baseURL string
	tlsCert, tlsKey, configPath      string
	schemas                          string
	insecureHTTP                     bool
	logLevel, logFormat, debugAddr   string
	synchronous                      string
	selfRegistration                 bool
	external                         externalFlags
}

// externalFlags configure an external identity provider's bearer tokens.
type externalFlags struct {
	jwksURL, issuer, audience, tenant, claim, scopes, profile string
}

// config returns the server's configuration of the provider, if any.
func (e *externalFlags) config() (*server.ExternalJWT, error) {
	if e.jwksURL == "" && e.issuer == "" && e.audience == "" {
		return nil, nil
	}
	if e.jwksURL == "" || e.issuer == "" || e.audience == "" {
		return nil, errUsage{"an external identity provider needs --external-jwks-url, --external-issuer and --external-audience"}
	}
	m, err := parseScopeMap(e.scopes)
	if err != nil {
		return nil, err
	}
	return &server.ExternalJWT{JWKSURL: e.jwksURL, Issuer: e.issuer, Audience: e.audience, Tenant: e.tenant,
		ScopeClaim: e.claim, Scopes: m, Profile: e.profile}, nil
}

// parseScopeMap reads "role=scope1 scope2; other=scope3".
func parseScopeMap(s string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, part := range strings.Split(s, ";") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, errUsage{fmt.Sprintf("--external-scopes: %q is not VALUE=SCOPE ...", part)}
		}
		out[strings.TrimSpace(k)] = strings.Fields(v)
	}
	return out, nil
}

func serveFlags(stderr io.Writer) (*serveConfig, *flag.FlagSet) {
	c := &serveConfig{}
	fs := newFlagSet("serve", "scimd serve [flags]", stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&c.db, "db", "sqlite:./scimd.db", dbUsage)
	fs.StringVar(&c.adminPassword, "admin-password", "", "password of the bootstrap user admin, set when it is created (default: generated and printed once)")
	fs.StringVar(&c.baseURL, "base-url", "", "absolute URL clients reach scimd at, used in meta.location, Location and $ref (default: derived from --addr)")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "TLS certificate file (PEM)")
	fs.StringVar(&c.tlsKey, "tls-key", "", "TLS private key file (PEM)")
	fs.BoolVar(&c.insecureHTTP, "insecure-http", false, "allow plain HTTP on a non-loopback address")
	fs.StringVar(&c.configPath, "config", "", "YAML config file; its keys are these flags' names")
	fs.StringVar(&c.schemas, "schemas", "", schemasUsage)
	fs.StringVar(&c.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&c.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&c.debugAddr, "debug-addr", "", "serve Go's pprof profiles on this address (keep it loopback); off by default")
	fs.BoolVar(&c.selfRegistration, "self-registration", false, "let anyone create a user with POST /Me")
	fs.StringVar(&c.external.jwksURL, "external-jwks-url", "", "accept bearer JWTs of an external identity provider whose keys are at this JWKS URL")
	fs.StringVar(&c.external.issuer, "external-issuer", "", "the external provider's issuer (iss)")
	fs.StringVar(&c.external.audience, "external-audience", "", "the audience (aud) its tokens must name")
	fs.StringVar(&c.external.tenant, "external-tenant", "", "the tenant its tokens act in (default: the default tenant)")
	fs.StringVar(&c.external.claim, "external-scope-claim", "scp", "the claim holding the caller's scopes or roles (Entra ID app roles: roles)")
	fs.StringVar(&c.external.scopes, "external-scopes", "", "map claim values to scopes: \"Role.Admin=internal_user_mgt_create internal_user_mgt_list;...\" (unmapped values are scope names)")
	fs.StringVar(&c.external.profile, "external-profile", server.ProfileRFC, "compatibility profile of its tokens: rfc, entra or okta")
	fs.StringVar(&c.synchronous, "sqlite-synchronous", "FULL", "SQLite durability: FULL (survives power loss) or NORMAL (survives a crash of scimd)")
	return c, fs
}

// parseServe reads the configuration from flags, then environment, then
// the config file.
func parseServe(args []string, stderr io.Writer, getenv func(string) string) (*serveConfig, error) {
	c, fs := serveFlags(stderr)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, errUsage{fmt.Sprintf("serve takes no arguments, got %q", pos)}
	}
	if err := applyEnv(fs, getenv); err != nil {
		return nil, errUsage{err.Error()}
	}
	if c.configPath != "" {
		if err := loadConfig(fs, c.configPath); err != nil {
			return nil, errUsage{err.Error()}
		}
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return nil, errUsage{"--tls-cert and --tls-key go together"}
	}
	if !c.tls() && !c.insecureHTTP && !isLoopback(c.addr) {
		return nil, errUsage{fmt.Sprintf("refusing to serve plain HTTP on the non-loopback address %s: give --tls-cert and --tls-key, or --insecure-http if TLS ends in front of scimd", c.addr)}
	}
	return c, nil
}

func (c *serveConfig) tls() bool { return c.tlsCert != "" }

// isLoopback reports whether addr listens only on a loopback interface.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// defaultBaseURL derives the base URL from the listening address.
func defaultBaseURL(addr string, tls bool) string {
	host, port, _ := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	scheme := "http"
	if tls {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, errUsage{fmt.Sprintf("--log-level: %v", err)}
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, errUsage{fmt.Sprintf("--log-format must be text or json, not %q", format)}
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	c, err := parseServe(args, stderr, getenv)
	if err != nil {
		return err
	}
	// SQLite's writer blocks its thread in pwrite and fsync. With a single
	// P (one CPU, or pinned with taskset) request handling stops for every
	// commit, and concurrent writes can't gather into one commit: measured,
	// one write per commit and 1 s stalls. A second P lets the OS run
	// request handling on the same CPU meanwhile.
	if runtime.GOMAXPROCS(0) < 2 {
		runtime.GOMAXPROCS(2)
	}
	log, err := newLogger(stderr, c.logLevel, c.logFormat)
	if err != nil {
		return err
	}
	// One scimd on its database keeps the indexes in step with its
	// schemas; replicas sharing one don't undo each other's (scimd migrate
	// changes them).
	indexes := sqlstore.SyncIndexes
	if sqlstore.Shared(c.db) {
		indexes = sqlstore.CheckIndexes
	}
	st, err := openConfigured(ctx, c.db, c.schemas, sqlstore.Options{Logger: log, Synchronous: c.synchronous, Indexes: indexes, Exclusive: true})
	if err != nil {
		return err
	}
	defer st.Close()
	hasher := auth.NewHasher(auth.DefaultParams, 0)
	if err := bootstrapAdmin(ctx, st, st.Registry(), hasher, c.adminPassword, stdout, log); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	baseURL := c.baseURL
	if baseURL == "" {
		baseURL = defaultBaseURL(ln.Addr().String(), c.tls())
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	ext, err := c.external.config()
	if err != nil {
		return err
	}
	srv, err := server.New(server.Config{Store: st, Registry: st.Registry(), BaseURL: baseURL, Logger: log, Hasher: hasher, Metrics: reg,
		SelfRegistration: c.selfRegistration, ExternalJWT: ext})
	if err != nil {
		return err
	}
	if c.debugAddr != "" {
		go serveDebug(c.debugAddr, log)
	}
	return listen(ctx, ln, srv, c, baseURL, log)
}

// serveDebug serves pprof on its own listener, apart from the API.
func serveDebug(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Info("serving pprof", "addr", addr)
	if err := http.ListenAndServe(addr, mux); err != nil {
		log.Error("pprof listener failed", "err", err)
	}
}

// bootstrapAdmin creates the default tenant's admin on first start and
// prints a generated password once.
func bootstrapAdmin(ctx context.Context, st store.Store, reg *schema.Registry, h *auth.Hasher, password string, stdout io.Writer, log *slog.Logger) error {
	pw, err := server.Bootstrap(ctx, st, reg, h, store.DefaultTenant, password, time.Now())
	switch {
	case errors.Is(err, server.ErrAdminExists):
		return nil
	case err != nil:
		return fmt.Errorf("creating the bootstrap user: %w", err)
	case password == "":
		fmt.Fprintf(stdout, "Created the bootstrap user %q with the password %s\nIt is shown only this once: store it now.\n", server.AdminUserName, pw)
	default:
		log.Info("created the bootstrap user", "user", server.AdminUserName)
	}
	return nil
}

// listen serves until ctx is cancelled, then shuts down gracefully.
func listen(ctx context.Context, ln net.Listener, h http.Handler, c *serveConfig, baseURL string, log *slog.Logger) error {
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if c.tls() {
		hs.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	errc := make(chan error, 1)
	go func() {
		if c.tls() {
			errc <- hs.ServeTLS(ln, c.tlsCert, c.tlsKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	log.Info("scimd serving", "addr", ln.Addr().String(), "base_url", baseURL, "tls", c.tls())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
