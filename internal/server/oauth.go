package server

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/scimd/scimd/internal/auth"
	"github.com/scimd/scimd/internal/store"
)

// oauthError is an error response of the token endpoint (RFC 6749 §5.2).
type oauthError struct {
	status int
	Code   string `json:"error"`
	Detail string `json:"error_description,omitempty"`
}

func (e *oauthError) Error() string { return e.Code + ": " + e.Detail }

func badRequest(code, detail string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, Code: code, Detail: detail}
}

// issuer is the "iss" of a tenant's access tokens: the URL of its token
// endpoint's directory. Tenants have distinct issuers, so a token of one
// is refused by another.
func (s *Server) issuer(tenant string) string {
	if tenant == store.DefaultTenant {
		return s.baseURL + "/oauth2"
	}
	return s.baseURL + "/t/" + tenant + "/oauth2"
}

// token serves the token endpoint: the client credentials grant of
// RFC 6749 §4.4 with client_secret_basic or client_secret_post.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	resp, err := s.issueToken(r, tenant)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		var oe *oauthError
		if !errors.As(err, &oe) {
			s.log.Error("token endpoint failed", "err", err)
			oe = &oauthError{status: http.StatusInternalServerError, Code: "server_error", Detail: "the server log has the details"}
		}
		if oe.status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Basic realm="scimd", charset="UTF-8"`)
		}
		w.WriteHeader(oe.status)
		json.NewEncoder(w).Encode(oe)
		return
	}
	json.NewEncoder(w).Encode(resp)
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

func (s *Server) issueToken(r *http.Request, tenant string) (*tokenResponse, error) {
	if err := s.checkTenant(r.Context(), tenant); err != nil {
		return nil, &oauthError{status: http.StatusNotFound, Code: "invalid_request", Detail: "no tenant " + tenant}
	}
	form, err := tokenForm(r)
	if err != nil {
		return nil, err
	}
	if gt := form.Get("grant_type"); gt != "client_credentials" {
		if gt == "" {
			return nil, badRequest("invalid_request", "grant_type is missing")
		}
		return nil, badRequest("unsupported_grant_type", "only grant_type=client_credentials is supported")
	}
	c, err := s.authenticateClient(r, tenant, form)
	if err != nil {
		return nil, err
	}
	scopes := c.Scopes
	if requested, ok := form["scope"]; ok {
		if scopes, err = narrowScopes(c.Scopes, requested[0]); err != nil {
			return nil, err
		}
	}
	return s.sign(r.Context(), tenant, c, scopes)
}

// tokenForm reads the request body's parameters: form-encoded, each at
// most once (RFC 6749 §3.1), and no credentials in the URL (§2.3.1).
func tokenForm(r *http.Request) (url.Values, error) {
	if r.Method != http.MethodPost {
		return nil, badRequest("invalid_request", "use POST")
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return nil, badRequest("invalid_request", "send the parameters as application/x-www-form-urlencoded")
	}
	if q := r.URL.Query(); q.Has("client_secret") || q.Has("client_id") {
		return nil, badRequest("invalid_request", "client credentials must not be sent in the URL")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return nil, badRequest("invalid_request", "the request body is not a form: "+err.Error())
	}
	for k, v := range r.PostForm {
		if len(v) > 1 {
			return nil, badRequest("invalid_request", "the parameter "+k+" is given more than once")
		}
	}
	return r.PostForm, nil
}

// narrowScopes returns the requested scopes, all of which the client must
// hold: a token request narrows a client's scopes, never widens them.
func narrowScopes(held []string, requested string) ([]string, error) {
	var out []string
	for _, sc := range strings.Fields(requested) {
		if !slices.Contains(held, sc) {
			return nil, badRequest("invalid_scope", "the client may not request the scope "+sc)
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out, nil
}

// authenticateClient checks the client's credentials, sent with HTTP Basic
// (form-encoded, as RFC 6749 §2.3.1 says and golang.org/x/oauth2 sends) or
// in the body, never both.
func (s *Server) authenticateClient(r *http.Request, tenant string, form url.Values) (*store.Client, error) {
	id, secret, basic := r.BasicAuth()
	if basic {
		if form.Has("client_id") || form.Has("client_secret") {
			return nil, badRequest("invalid_request", "use one client authentication method, not Basic and form parameters both")
		}
		id, secret = formDecode(id), formDecode(secret)
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	invalid := &oauthError{status: http.StatusUnauthorized, Code: "invalid_client", Detail: "unknown client or wrong secret"}
	if id == "" || secret == "" {
		invalid.Detail = "client authentication is missing"
		return nil, invalid
	}
	v, err := s.checkSecret(r, tenant, "client:"+id, s.creds.Key("client", tenant, id, secret), func(ctx context.Context) (any, error) {
		c, err := s.store.Client(ctx, tenant, id)
		if errors.Is(err, store.ErrNotFound) {
			s.hasher.Burn(ctx, secret)
			return nil, errBadCredentials
		}
		if err != nil {
			return nil, err
		}
		if err := s.hasher.Verify(ctx, c.SecretHash, secret); err != nil {
			if errors.Is(err, auth.ErrMismatch) {
				return nil, errBadCredentials
			}
			return nil, err
		}
		return c, nil
	})
	var re *retryError
	switch {
	case errors.Is(err, errBadCredentials):
		return nil, invalid
	case errors.As(err, &re):
		return nil, &oauthError{status: http.StatusTooManyRequests, Code: "invalid_request", Detail: err.Error()}
	case err != nil:
		return nil, err
	}
	return v.(*store.Client), nil
}

func formDecode(s string) string {
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}

// sign issues an access token.
func (s *Server) sign(ctx context.Context, tenant string, c *store.Client, scopes []string) (*tokenResponse, error) {
	key, err := s.keys.signing(ctx, tenant)
	if err != nil {
		return nil, err
	}
	now := s.now()
	claims := &auth.AccessClaims{
		Claims: jwt.Claims{
			Issuer: s.issuer(tenant), Subject: c.ID, Audience: jwt.Audience{s.issuer(tenant)}, ID: newID(),
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(s.tokenTTL)),
		},
		Scope: strings.Join(scopes, " "), ClientID: c.ID, Tenant: tenant, Profile: c.Profile,
	}
	tok, err := key.Sign(claims)
	if err != nil {
		return nil, err
	}
	return &tokenResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: int(s.tokenTTL / time.Second), Scope: claims.Scope}, nil
}

// jwks serves a tenant's public signing keys (RFC 7517 §5).
func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if err := s.checkTenant(r.Context(), tenant); err != nil {
		s.writeError(w, r, err)
		return
	}
	set, err := s.keys.jwks(r.Context(), tenant)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "max-age=300")
	json.NewEncoder(w).Encode(set)
}
