package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/scimd/scimd/internal/auth"
	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim/schema"
)

// principal is an authenticated caller: a user (Basic), an OAuth client
// (a JWT of the token endpoint or of an external identity provider) or an
// API token.
type principal struct {
	tenant   string
	userID   string // "" when no user stands behind the credential
	userName string
	client   string // the OAuth client or API token, when not a user
	bearer   bool   // authenticated with a bearer token
	scopes   map[string]bool
	profile  string // compatibility profile; "" for the server's default
}

func (p *principal) has(scope string) bool { return p.scopes[scope] }

func (p *principal) name() string {
	switch {
	case p.userName != "":
		return "user " + p.userName
	case p.client != "":
		return p.client
	}
	return "this credential"
}

// profileOr returns the principal's compatibility profile, or def.
func (p *principal) profileOr(def string) string {
	if p == nil || p.profile == "" {
		return def
	}
	return p.profile
}

func scopeSet(scopes []string) map[string]bool {
	m := make(map[string]bool, len(scopes))
	for _, sc := range scopes {
		m[sc] = true
	}
	return m
}

// authError is a failed authentication: a 401 with its challenges.
type authError struct {
	detail string
	bearer string // the error code of a bearer token that failed (RFC 6750 §3.1)
}

func (e *authError) Error() string { return e.detail }

// retryError is a request to try again later: a 429 (or status) with
// Retry-After.
type retryError struct {
	status int // 0 for 429
	detail string
	after  time.Duration
}

func (e *retryError) Error() string { return e.detail }

// challenges sets the WWW-Authenticate headers of a 401 (RFC 7235 §4.1).
func challenges(h http.Header, ae *authError) {
	h.Add("WWW-Authenticate", `Basic realm="scimd", charset="UTF-8"`)
	b := `Bearer realm="scimd"`
	if ae != nil && ae.bearer != "" {
		b += `, error="` + ae.bearer + `", error_description="` + strings.ReplaceAll(ae.detail, `"`, `'`) + `"`
	}
	h.Add("WWW-Authenticate", b)
}

var errNoCredentials = &authError{detail: "authentication required: send HTTP Basic credentials or a bearer token"}

// authenticate identifies the caller of a request in a tenant.
func (s *Server) authenticate(r *http.Request, tenant string) (*principal, error) {
	h := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	switch {
	case strings.EqualFold(scheme, "Bearer"):
		cred = strings.TrimSpace(cred)
		if cred == "" {
			return nil, &authError{detail: "the bearer token is empty", bearer: "invalid_request"}
		}
		return s.bearerLogin(r.Context(), tenant, cred)
	case strings.EqualFold(scheme, "Basic"):
		name, password, ok := r.BasicAuth()
		if !ok {
			return nil, &authError{detail: "the Basic credentials are not base64 of user:password"}
		}
		return s.basicLogin(r, tenant, name, password)
	}
	return nil, errNoCredentials
}

var errBadCredentials = &authError{detail: "the user name or password is wrong"}

// login is a verified Basic credential as the cache keeps it: the
// principal, and the stored hash it was verified against.
type login struct {
	who      *principal
	userName string // as looked up
	hash     string
}

// basicLogin verifies a user name and password. Verified credentials are
// cached; an entry in use is revalidated in the background before it
// expires, by checking that the stored hash is the one the password was
// verified against (no hash computation). Other logins go through
// checkSecret.
func (s *Server) basicLogin(r *http.Request, tenant, name, password string) (*principal, error) {
	if name == "" {
		return nil, errBadCredentials
	}
	key := s.creds.Key("basic", tenant, name, password)
	if v, refresh, ok := s.creds.Get(key); ok {
		l := v.(*login)
		if refresh {
			go s.logins.Do("refresh\x00"+string(key[:]), func() (any, error) { return nil, s.revalidate(key, l) })
		}
		return l.who, nil
	}
	account := "user:" + schema.Fold(loginName(tenant, name))
	v, err := s.checkSecret(r, tenant, account, key, func(ctx context.Context) (any, error) {
		return s.verify(ctx, key, tenant, loginName(tenant, name), password)
	})
	if err != nil {
		return nil, err
	}
	return v.(*principal), nil
}

// checkSecret checks a secret presented for an account (a user's password,
// an OAuth client's secret) under the login throttle: the attempt is
// counted, and refused if the account failed too often lately (on any
// scimd sharing the database) or the client's address did (on this one),
// before check computes a hash. check returns errBadCredentials for a
// wrong secret. Concurrent attempts with the same credentials (key) share
// one count and one check: a client that sends many requests at once with
// a correct password computes one hash, and is not taken for a guesser.
func (s *Server) checkSecret(r *http.Request, tenant, account string, key [32]byte, check func(context.Context) (any, error)) (any, error) {
	v, err, _ := s.logins.Do(string(key[:]), func() (any, error) {
		// Counted and checked even if the client hangs up: no guess
		// goes uncounted, and the others waiting for it get an answer.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 30*time.Second)
		defer cancel()
		addr := clientAddress(r)
		if ok, wait := s.throttle.address.Allowed(addr); !ok {
			return nil, tooManyFailures(wait)
		}
		wait, clear, err := s.throttle.account.attempt(ctx, tenant, account, addr)
		if err != nil {
			return nil, err
		}
		if wait > 0 {
			return nil, tooManyFailures(wait)
		}
		v, err := check(ctx)
		switch {
		case errors.Is(err, errBadCredentials):
			s.throttle.address.Fail(addr)
		case err == nil && clear:
			if err := s.throttle.account.succeeded(ctx, tenant, account, addr); err != nil {
				s.log.Error("clearing counted login attempts", "err", err)
			}
		}
		return v, err
	})
	return v, err
}

func tooManyFailures(wait time.Duration) error {
	return &retryError{detail: "too many failed logins; try again in " + wait.Round(time.Second).String(), after: wait}
}

// clientAddress is the IP address a request comes from.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// loginName is the userName a Basic user name stands for. On a tenant
// path, NAME@DOMAIN names the user NAME of tenant DOMAIN (SPEC §1); user
// names may themselves contain "@".
func loginName(tenant, name string) string {
	if tenant != store.DefaultTenant {
		if n := len(name) - len(tenant) - 1; n > 0 && name[n] == '@' && strings.EqualFold(name[n+1:], tenant) {
			return name[:n]
		}
	}
	return name
}

// verify checks a password against the stored hash and caches the result.
// An unknown user costs one hash computation, like a wrong password, and
// gets the same answer.
func (s *Server) verify(ctx context.Context, key [32]byte, tenant, userName, password string) (*principal, error) {
	cred, err := s.store.Credential(ctx, tenant, userName)
	if errors.Is(err, store.ErrNotFound) || (err == nil && cred.PasswordHash == "") {
		s.hasher.Burn(ctx, password)
		return nil, errBadCredentials
	}
	if err != nil {
		return nil, err
	}
	if err := s.hasher.Verify(ctx, cred.PasswordHash, password); err != nil {
		if errors.Is(err, auth.ErrMismatch) {
			return nil, errBadCredentials
		}
		return nil, err
	}
	p, err := s.userPrincipal(ctx, tenant, cred)
	if err != nil {
		return nil, err
	}
	s.creds.Put(key, subject(tenant, cred.ID), &login{who: p, userName: userName, hash: cred.PasswordHash})
	return p, nil
}

// revalidate renews a cached login if the user still has the password hash
// it was verified against, reloading its scopes; otherwise it drops it.
func (s *Server) revalidate(key [32]byte, l *login) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cred, err := s.store.Credential(ctx, l.who.tenant, l.userName)
	if err != nil || cred.ID != l.who.userID || cred.PasswordHash != l.hash {
		s.creds.Forget(subject(l.who.tenant, l.who.userID))
		return err
	}
	p, err := s.userPrincipal(ctx, l.who.tenant, cred)
	if err != nil {
		return err
	}
	s.creds.Put(key, subject(p.tenant, p.userID), &login{who: p, userName: l.userName, hash: l.hash})
	return nil
}

// userPrincipal builds the principal of a user: its scopes are those of
// the groups it belongs to, directly or through nested groups.
func (s *Server) userPrincipal(ctx context.Context, tenant string, cred *store.Credential) (*principal, error) {
	scopes, err := s.store.GroupValues(ctx, tenant, cred.ID, schema.AuthorizationScopes)
	if err != nil {
		return nil, err
	}
	return &principal{tenant: tenant, userID: cred.ID, userName: cred.UserName, scopes: scopeSet(scopes), profile: s.profile}, nil
}

// subject names a user in the credentials cache.
func subject(tenant, id string) string { return tenant + "/" + id }

// bearerLogin checks a bearer token: an API token, an access token of the
// tenant's token endpoint, or one of the configured external identity
// provider. Each is valid for its own tenant only.
func (s *Server) bearerLogin(ctx context.Context, tenant, tok string) (*principal, error) {
	if auth.IsAPIToken(tok) {
		return s.apiTokenLogin(ctx, tenant, tok)
	}
	claims, err := auth.Verify(tok, s.keys.verifier(ctx, tenant), s.issuer(tenant), s.now())
	if err == nil && claims.Tenant == tenant {
		return &principal{tenant: tenant, client: "OAuth client " + claims.ClientID, bearer: true,
			scopes: scopeSet(claims.Scopes()), profile: claims.Profile}, nil
	}
	if s.external != nil && s.external.tenant == tenant {
		if p, err := s.external.login(ctx, tok); err == nil {
			return p, nil
		}
	}
	return nil, &authError{detail: "the bearer token is not valid here: unknown, expired, or of another tenant", bearer: "invalid_token"}
}

// apiTokenLogin checks an API token, cached as briefly as Basic logins so
// that a revocation elsewhere takes effect within CredentialTTL.
func (s *Server) apiTokenLogin(ctx context.Context, tenant, tok string) (*principal, error) {
	hash := auth.HashToken(tok)
	key := s.creds.Key("token", tenant, string(hash))
	if v, _, ok := s.creds.Get(key); ok {
		return v.(*principal), nil
	}
	invalid := &authError{detail: "the API token is unknown, revoked, expired or of another tenant", bearer: "invalid_token"}
	t, stored, err := s.store.TokenByHash(ctx, hash)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, invalid
	case err != nil:
		return nil, err
	case t != tenant || stored.Revoked || !stored.Expires.IsZero() && !s.now().Before(stored.Expires):
		return nil, invalid
	}
	p := &principal{tenant: tenant, client: "API token " + stored.Name, bearer: true, scopes: scopeSet(stored.Scopes), profile: stored.Profile}
	s.creds.Put(key, "token/"+stored.ID, p)
	return p, nil
}

// retryAfter renders a Retry-After header value.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(int(d.Round(time.Second) / time.Second))
}
