package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/scimd/scimd/internal/auth"
)

// ExternalJWT configures bearer tokens issued by an external identity
// provider (e.g. Microsoft Entra ID without a secret token): JWTs checked
// against the provider's JWKS, issuer and audience.
type ExternalJWT struct {
	JWKSURL  string
	Issuer   string
	Audience string
	Tenant   string // the scimd tenant the tokens are for; "" the default
	// ScopeClaim names the claim holding the caller's scopes or roles
	// (space-separated string or array): "scp" by default; "roles" for
	// Entra ID application roles.
	ScopeClaim string
	// Scopes maps claim values to scimd scopes; a value it doesn't map is
	// taken as a scope name.
	Scopes  map[string][]string
	Profile string // compatibility profile of the tokens
	// HTTPClient fetches the JWKS; http.DefaultClient if nil.
	HTTPClient *http.Client
}

// externalAlgs are the signature algorithms accepted from an external
// provider: asymmetric only, so a public key can't be used as an HMAC
// secret and "none" never verifies.
var externalAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512, jose.ES256, jose.ES384, jose.ES512}

// external verifies tokens of the configured provider.
type external struct {
	ExternalJWT
	tenant string
	now    func() time.Time

	mu      sync.Mutex
	keys    jose.JSONWebKeySet
	fetched time.Time
}

const (
	jwksRefresh  = time.Hour        // keys are refetched this often
	jwksMinFetch = 30 * time.Second // an unknown kid refetches no more often
)

func newExternal(cfg *ExternalJWT, now func() time.Time) (*external, error) {
	if cfg == nil {
		return nil, nil
	}
	if cfg.JWKSURL == "" || cfg.Issuer == "" || cfg.Audience == "" {
		return nil, errors.New("server: an external identity provider needs a JWKS URL, an issuer and an audience")
	}
	e := &external{ExternalJWT: *cfg, tenant: cfg.Tenant, now: now}
	if e.ScopeClaim == "" {
		e.ScopeClaim = "scp"
	}
	if e.HTTPClient == nil {
		e.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return e, nil
}

// login verifies a provider's token and returns its principal.
func (e *external) login(ctx context.Context, tok string) (*principal, error) {
	t, err := jwt.ParseSigned(tok, externalAlgs)
	if err != nil || len(t.Headers) != 1 {
		return nil, auth.ErrInvalidToken
	}
	key, err := e.key(ctx, t.Headers[0].KeyID)
	if err != nil {
		return nil, err
	}
	var std jwt.Claims
	var all map[string]any
	if err := t.Claims(key.Key, &std, &all); err != nil {
		return nil, fmt.Errorf("%w: %v", auth.ErrInvalidToken, err)
	}
	if std.Expiry == nil {
		return nil, fmt.Errorf("%w: no expiry", auth.ErrInvalidToken)
	}
	exp := jwt.Expected{Issuer: e.Issuer, AnyAudience: jwt.Audience{e.Audience}, Time: e.now()}
	if err := std.ValidateWithLeeway(exp, auth.Leeway); err != nil {
		return nil, fmt.Errorf("%w: %v", auth.ErrInvalidToken, err)
	}
	name := std.Subject
	if appid, ok := all["appid"].(string); ok {
		name = appid
	}
	return &principal{tenant: e.tenant, client: "external client " + name, bearer: true, scopes: e.scopes(all[e.ScopeClaim]), profile: e.Profile}, nil
}

// scopes maps the claim's values to scimd scopes.
func (e *external) scopes(claim any) map[string]bool {
	var values []string
	switch c := claim.(type) {
	case string:
		values = strings.Fields(c)
	case []any:
		for _, v := range c {
			if s, ok := v.(string); ok {
				values = append(values, s)
			}
		}
	}
	out := map[string]bool{}
	for _, v := range values {
		mapped, ok := e.Scopes[v]
		if !ok {
			mapped = []string{v}
		}
		for _, sc := range mapped {
			out[sc] = true
		}
	}
	return out
}

// key returns the provider's key with the given kid, fetching the JWKS
// when it is stale or the kid unknown (at most every jwksMinFetch).
func (e *external) key(ctx context.Context, kid string) (*jose.JSONWebKey, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	keys := e.keys.Key(kid)
	stale := e.now().Sub(e.fetched) > jwksRefresh
	if (len(keys) == 0 || stale) && e.now().Sub(e.fetched) > jwksMinFetch {
		if err := e.fetch(ctx); err != nil {
			return nil, err
		}
		keys = e.keys.Key(kid)
	}
	for _, k := range keys {
		if k.Use == "" || k.Use == "sig" {
			return &k, nil
		}
	}
	return nil, fmt.Errorf("%w: unknown key %q", auth.ErrInvalidToken, kid)
}

func (e *external) fetch(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.JWKSURL, nil)
	if err != nil {
		return err
	}
	resp, err := e.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("fetching the JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetching the JWKS: status %d", resp.StatusCode)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set); err != nil {
		return fmt.Errorf("decoding the JWKS: %w", err)
	}
	e.keys, e.fetched = set, e.now()
	return nil
}
