package server_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/scimd/scimd/internal/server"
)

// idp is an external identity provider: a JWKS endpoint and a signer.
type idp struct {
	srv     *httptest.Server
	key     *rsa.PrivateKey
	kid     string
	fetches atomic.Int32
}

func newIDP(t *testing.T) *idp {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &idp{key: key, kid: "idp-key-1"}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.fetches.Add(1)
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: p.kid, Algorithm: "RS256", Use: "sig"}}})
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *idp) token(t *testing.T, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: p.key, KeyID: p.kid}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestExternalIdentityProvider(t *testing.T) {
	p := newIDP(t)
	h := startHarness(t, serverConfig{ExternalJWT: &server.ExternalJWT{
		JWKSURL: p.srv.URL, Issuer: "https://sts.example.com/tenant/", Audience: "api://scimd", ScopeClaim: "roles",
		Scopes: map[string][]string{"Provisioner": {"internal_user_mgt_create", "internal_user_mgt_list"}}, Profile: "entra",
	}})
	now := time.Now()
	claims := func(edit func(map[string]any)) map[string]any {
		c := map[string]any{"iss": "https://sts.example.com/tenant/", "aud": "api://scimd", "sub": "app", "appid": "entra-app",
			"roles": []any{"Provisioner"}, "exp": now.Add(time.Hour).Unix(), "nbf": now.Add(-time.Minute).Unix(), "iat": now.Unix()}
		if edit != nil {
			edit(c)
		}
		return c
	}
	good := p.token(t, claims(nil))
	h.must(http.StatusOK, req{path: "/scim2/Users", noAuth: true, header: bearer(good)})
	h.must(http.StatusCreated, req{method: "POST", path: "/scim2/Users", body: `{"userName":"from-entra"}`, noAuth: true, header: bearer(good)})
	h.do(req{method: "DELETE", path: "/scim2/Users/x", noAuth: true, header: bearer(good)}).scimError(t, 403, "", "internal_user_mgt_delete")
	bad := map[string]string{
		"wrong audience": p.token(t, claims(func(c map[string]any) { c["aud"] = "api://other" })),
		"wrong issuer":   p.token(t, claims(func(c map[string]any) { c["iss"] = "https://evil.example.com/" })),
		"expired":        p.token(t, claims(func(c map[string]any) { c["exp"] = now.Add(-time.Hour).Unix() })),
		"no expiry":      p.token(t, claims(func(c map[string]any) { delete(c, "exp") })),
	}
	for name, tok := range bad {
		t.Run(name, func(t *testing.T) {
			h.do(req{path: "/scim2/Users", noAuth: true, header: bearer(tok)}).scimError(t, 401, "")
		})
	}
	if n := p.fetches.Load(); n != 1 {
		t.Errorf("the JWKS was fetched %d times, want once", n)
	}
}
