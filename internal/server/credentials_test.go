package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/scimd/scimd/internal/auth"
	"github.com/scimd/scimd/internal/store"
)

// addClient stores an OAuth client with the given scopes and returns its secret.
func (h *harness) addClient(tenant, id, profile string, scopes ...string) string {
	h.t.Helper()
	secret := "secret-" + id + "/+%&="
	hash, err := auth.NewHasher(fastHash, 0).Hash(context.Background(), secret)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.store.CreateClient(context.Background(), tenant, &store.Client{ID: id, Name: id, SecretHash: hash, Scopes: scopes, Profile: profile, Created: time.Now()}); err != nil {
		h.t.Fatal(err)
	}
	return secret
}

// addToken stores an API token and returns it.
func (h *harness) addToken(tenant, profile string, expires time.Time, scopes ...string) (tok, id string) {
	h.t.Helper()
	tok, hash := auth.NewToken()
	id = fmt.Sprintf("tok-%d", time.Now().UnixNano())
	err := h.store.CreateToken(context.Background(), tenant, &store.Token{ID: id, Hash: hash, Name: "test", Scopes: scopes, Profile: profile, Created: time.Now(), Expires: expires})
	if err != nil {
		h.t.Fatal(err)
	}
	return tok, id
}

// tokenFor gets an access token from the token endpoint.
func (h *harness) tokenFor(tenant, id, secret string, scopes ...string) string {
	h.t.Helper()
	prefix := ""
	if tenant != "" {
		prefix = "/t/" + tenant
	}
	cfg := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: h.url + prefix + "/oauth2/token", Scopes: scopes}
	tok, err := cfg.Token(context.Background())
	if err != nil {
		h.t.Fatalf("token for %s: %v", id, err)
	}
	return tok.AccessToken
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

// TestClientCredentialsFlow is the Ballerina connector's flow: a token with
// golang.org/x/oauth2/clientcredentials, then create, read, update, delete.
func TestClientCredentialsFlow(t *testing.T) {
	h := newHarness(t)
	secret := h.addClient("", "ballerina", "", auth.Scopes...)
	cfg := clientcredentials.Config{ClientID: "ballerina", ClientSecret: secret, TokenURL: h.url + "/oauth2/token",
		Scopes: []string{"internal_user_mgt_create", "internal_user_mgt_view", "internal_user_mgt_update", "internal_user_mgt_delete"}}
	hc := cfg.Client(context.Background())
	do := func(method, path, body string, want int) map[string]any {
		t.Helper()
		r, _ := http.NewRequest(method, h.url+path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/scim+json")
		resp, err := hc.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode != want {
			t.Fatalf("%s %s = %d, want %d: %v", method, path, resp.StatusCode, want, out)
		}
		return out
	}
	id := do("POST", "/scim2/Users", `{"userName":"ballerina-user"}`, 201)["id"].(string)
	do("GET", "/scim2/Users/"+id, "", 200)
	do("PATCH", "/scim2/Users/"+id, patchBody(`{"op":"replace","path":"active","value":false}`), 200)
	do("DELETE", "/scim2/Users/"+id, "", 204)
	do("GET", "/scim2/Users", "", 403) // the token was narrowed: no list scope
	// client_secret_post works too.
	cfg.AuthStyle = 1 // oauth2.AuthStyleInParams
	if _, err := cfg.Token(context.Background()); err != nil {
		t.Errorf("client_secret_post: %v", err)
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	h := newHarness(t)
	secret := h.addClient("", "app", "", "internal_user_mgt_list")
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape("app")+":"+url.QueryEscape(secret)))
	form := func(v string) string { return v }
	cases := []struct {
		name, body, auth, contentType string
		status                        int
		code                          string
	}{
		{"extra scope", form("grant_type=client_credentials&scope=internal_user_mgt_list+internal_user_mgt_delete"), basic, "", 400, "invalid_scope"},
		{"repeated scope", form("grant_type=client_credentials&scope=internal_user_mgt_list&scope=internal_user_mgt_delete"), basic, "", 400, "invalid_request"},
		{"wrong grant", form("grant_type=password&username=a&password=b"), basic, "", 400, "unsupported_grant_type"},
		{"no grant", form("scope=internal_user_mgt_list"), basic, "", 400, "invalid_request"},
		{"wrong secret", form("grant_type=client_credentials"), "Basic " + base64.StdEncoding.EncodeToString([]byte("app:nope")), "", 401, "invalid_client"},
		{"unknown client", form("grant_type=client_credentials&client_id=ghost&client_secret=x"), "", "", 401, "invalid_client"},
		{"no client", form("grant_type=client_credentials"), "", "", 401, "invalid_client"},
		{"two methods", form("grant_type=client_credentials&client_id=app&client_secret=x"), basic, "", 400, "invalid_request"},
		{"JSON body", `{"grant_type":"client_credentials"}`, basic, "application/json", 400, "invalid_request"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ct := c.contentType
			if ct == "" {
				ct = "application/x-www-form-urlencoded"
			}
			r := h.do(req{method: "POST", path: "/oauth2/token", body: c.body, noAuth: true, header: map[string]string{"Authorization": c.auth, "Content-Type": ct}})
			if r.status != c.status || r.str("error") != c.code {
				t.Errorf("status %d error %q, want %d %q: %s", r.status, r.str("error"), c.status, c.code, r.raw)
			}
			if r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q", r.header.Get("Cache-Control"))
			}
		})
	}
	r := h.do(req{method: "POST", path: "/oauth2/token", body: "grant_type=client_credentials", noAuth: true,
		header: map[string]string{"Authorization": basic, "Content-Type": "application/x-www-form-urlencoded"}})
	if r.status != 200 || r.str("token_type") != "Bearer" || r.str("scope") != "internal_user_mgt_list" {
		t.Errorf("token = %d %s", r.status, r.raw)
	}
	jwks := h.do(req{path: "/oauth2/jwks", noAuth: true})
	if keys, _ := jwks.body["keys"].([]any); jwks.status != 200 || len(keys) != 1 || keys[0].(map[string]any)["alg"] != "ES256" || keys[0].(map[string]any)["d"] != nil {
		t.Errorf("JWKS = %d %s", jwks.status, jwks.raw)
	}
}

// forge returns bearer tokens that must all be refused.
func forge(t *testing.T, h *harness) map[string]string {
	t.Helper()
	secret := h.addClient("", "forger", "", auth.Scopes...)
	good := h.tokenFor("", "forger", secret)
	parts := strings.Split(good, ".")
	header, _ := base64.RawURLEncoding.DecodeString(parts[0])
	var hdr map[string]any
	json.Unmarshal(header, &hdr)
	b64 := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	none := b64(map[string]any{"alg": "none", "kid": hdr["kid"], "typ": "JWT"}) + "." + parts[1] + "."
	// HS256 with the public key as the HMAC secret (algorithm confusion).
	jwks := h.do(req{path: "/oauth2/jwks", noAuth: true})
	var set jose.JSONWebKeySet
	json.Unmarshal(jwks.raw, &set)
	pub, _ := x509.MarshalPKIXPublicKey(set.Keys[0].Key)
	hs, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: jose.JSONWebKey{Key: pub, KeyID: set.Keys[0].KeyID}}, nil)
	var claims map[string]any
	json.Unmarshal(payload, &claims)
	hsTok, _ := jwt.Signed(hs).Claims(claims).Serialize()
	// A valid signature, with our claims but expired: signed by a key of
	// our own making under the same kid.
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	es, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: other, KeyID: set.Keys[0].KeyID}}, nil)
	claims["exp"] = time.Now().Add(-time.Hour).Unix()
	foreign, _ := jwt.Signed(es).Claims(claims).Serialize()
	h.bootstrapTenant("other.org")
	otherSecret := h.addClient("other.org", "forger", "", auth.Scopes...)
	return map[string]string{
		"alg none":              none,
		"HS256 by public key":   hsTok,
		"signed by another key": foreign,
		"garbage":               "not.a.token",
		"another tenant's":      h.tokenFor("other.org", "forger", otherSecret),
		"tampered payload":      parts[0] + "." + b64(map[string]any{"iss": claims["iss"], "scope": "internal_user_mgt_delete", "exp": time.Now().Add(time.Hour).Unix(), "tenant": ""}) + "." + parts[2],
		"unknown API token":     auth.TokenPrefix + "AAAA",
	}
}

// TestUnauthenticated: every route and method refuses missing and bad
// credentials with a 401 and challenges.
func TestUnauthenticated(t *testing.T) {
	h := newHarness(t)
	expired, _ := h.addToken("", "", time.Now().Add(-time.Minute), auth.Scopes...)
	revoked, revokedID := h.addToken("", "", time.Time{}, auth.Scopes...)
	if err := h.store.RevokeToken(context.Background(), "", revokedID); err != nil {
		t.Fatal(err)
	}
	creds := map[string]map[string]string{
		"none":              {},
		"empty Basic":       {"Authorization": "Basic "},
		"Bearer, no token":  {"Authorization": "Bearer"},
		"expired API token": bearer(expired),
		"revoked API token": bearer(revoked),
	}
	for name, tok := range forge(t, h) {
		creds[name] = bearer(tok)
	}
	routes := []struct{ method, path string }{
		{"GET", "/scim2/Users"}, {"POST", "/scim2/Users"}, {"POST", "/scim2/Users/.search"},
		{"GET", "/scim2/Users/x"}, {"PUT", "/scim2/Users/x"}, {"PATCH", "/scim2/Users/x"}, {"DELETE", "/scim2/Users/x"},
		{"GET", "/scim2/Groups"}, {"POST", "/scim2/Groups"}, {"POST", "/scim2/Groups/.search"},
		{"GET", "/scim2/Groups/x"}, {"PUT", "/scim2/Groups/x"}, {"PATCH", "/scim2/Groups/x"}, {"DELETE", "/scim2/Groups/x"},
		{"POST", "/scim2/.search"}, {"GET", "/scim2/Me"}, {"PUT", "/scim2/Me"}, {"PATCH", "/scim2/Me"}, {"DELETE", "/scim2/Me"},
	}
	for _, rt := range routes {
		for name, header := range creds {
			t.Run(rt.method+" "+rt.path+" "+name, func(t *testing.T) {
				r := h.do(req{method: rt.method, path: rt.path, body: `{}`, noAuth: true, header: header})
				r.scimError(t, 401, "")
				if got := r.header.Values("WWW-Authenticate"); len(got) != 2 || !strings.HasPrefix(got[0], "Basic ") || !strings.HasPrefix(got[1], "Bearer ") {
					t.Errorf("WWW-Authenticate = %q", got)
				}
			})
		}
	}
}

// TestPermissions checks every row of SPEC §3: allowed with its scope,
// refused (403) with every other scope.
func TestPermissions(t *testing.T) {
	h := newHarness(t)
	target := h.createUser(`{"userName":"target"}`)
	group := h.createGroup(`{"displayName":"target"}`)
	rows := []struct {
		method, path, body, scope string
	}{
		{"POST", "/scim2/Users", `{"userName":"new-%d"}`, "internal_user_mgt_create"},
		{"GET", "/scim2/Users", "", "internal_user_mgt_list"},
		{"GET", "/scim2/Users?filter=userName+pr", "", "internal_user_mgt_list"},
		{"POST", "/scim2/Users/.search", `{}`, "internal_user_mgt_list"},
		{"GET", "/scim2/Users/" + target, "", "internal_user_mgt_view"},
		{"PUT", "/scim2/Users/" + target, `{"userName":"target"}`, "internal_user_mgt_update"},
		{"PATCH", "/scim2/Users/" + target, patchBody(`{"op":"add","path":"nickName","value":"n%d"}`), "internal_user_mgt_update"},
		{"DELETE", "/scim2/Users/%s", "", "internal_user_mgt_delete"},
		{"POST", "/scim2/Groups", `{"displayName":"g%d"}`, "internal_group_mgt_create"},
		{"GET", "/scim2/Groups", "", "internal_group_mgt_view"},
		{"POST", "/scim2/Groups/.search", `{}`, "internal_group_mgt_view"},
		{"GET", "/scim2/Groups/" + group, "", "internal_group_mgt_view"},
		{"PUT", "/scim2/Groups/" + group, `{"displayName":"target"}`, "internal_group_mgt_update"},
		{"PATCH", "/scim2/Groups/" + group, patchBody(`{"op":"replace","path":"displayName","value":"target"}`), "internal_group_mgt_update"},
		{"DELETE", "/scim2/Groups/%s", "", "internal_group_mgt_delete"},
	}
	for i, row := range rows {
		t.Run(row.method+" "+row.path+" "+row.scope, func(t *testing.T) {
			allowed, _ := h.addToken("", "", time.Time{}, row.scope)
			var others []string
			for _, sc := range auth.Scopes {
				if sc != row.scope {
					others = append(others, sc)
				}
			}
			refused, _ := h.addToken("", "", time.Time{}, others...)
			path, body := row.path, row.body
			if strings.Contains(path, "%s") { // a fresh victim for each delete
				if strings.Contains(path, "Users") {
					path = fmt.Sprintf(path, h.createUser(fmt.Sprintf(`{"userName":"victim%d"}`, i)))
				} else {
					path = fmt.Sprintf(path, h.createGroup(fmt.Sprintf(`{"displayName":"victim%d"}`, i)))
				}
			}
			if strings.Contains(body, "%d") {
				body = fmt.Sprintf(body, i)
			}
			r := h.do(req{method: row.method, path: path, body: body, noAuth: true, header: bearer(refused)})
			r.scimError(t, 403, "", row.scope)
			if !strings.Contains(r.header.Get("WWW-Authenticate"), `error="insufficient_scope"`) {
				t.Errorf("403 without insufficient_scope challenge: %q", r.header.Get("WWW-Authenticate"))
			}
			if r := h.do(req{method: row.method, path: path, body: body, noAuth: true, header: bearer(allowed)}); r.status >= 300 {
				t.Errorf("with %s: %d %s", row.scope, r.status, r.raw)
			}
		})
	}
}

func TestAPITokens(t *testing.T) {
	h := newHarness(t)
	h.bootstrapTenant("example.com")
	tok, _ := h.addToken("example.com", "entra", time.Now().Add(time.Hour), auth.Scopes...)
	h.must(http.StatusOK, req{path: "/t/example.com/scim2/Users", noAuth: true, header: bearer(tok)})
	h.must(http.StatusUnauthorized, req{path: "/scim2/Users", noAuth: true, header: bearer(tok)})
	// The token's profile is entra: group PATCH answers 204.
	g := h.must(http.StatusCreated, req{method: "POST", path: "/t/example.com/scim2/Groups", body: `{"displayName":"g"}`, noAuth: true, header: bearer(tok)}).str("id")
	r := h.do(req{method: "PATCH", path: "/t/example.com/scim2/Groups/" + g, body: patchBody(`{"op":"Replace","path":"displayName","value":"h"}`), noAuth: true, header: bearer(tok)})
	if r.status != http.StatusNoContent {
		t.Errorf("entra-profile group PATCH = %d", r.status)
	}
	h.do(req{path: "/t/example.com/scim2/Me", noAuth: true, header: bearer(tok)}).scimError(t, 403, "", "not a user")
}

func TestMe(t *testing.T) {
	h := newHarness(t)
	kimID := h.createUser(kim)
	g := h.createGroup(`{"displayName":"engineer","members":[{"value":"` + kimID + `"}]}`)
	r := h.must(http.StatusOK, req{path: "/scim2/Me", user: "kim", password: "kimwso2"})
	if r.str("id") != kimID || r.path("groups.0.value") != g {
		t.Errorf("GET /Me = %s", r.raw)
	}
	// The WSO2 guide's PUT and PATCH of /Me.
	r = h.must(http.StatusOK, req{method: "PUT", path: "/scim2/Me", user: "kim", password: "kimwso2",
		body: `{"schemas":[],"name":{"familyName":"Jackson","givenName":"Kim"},"userName":"kim","emails":[{"primary":true,"value":"jacksonk@gmail.com","type":"home"},{"value":"jackson_k@wso2.com","type":"work"}],"EnterpriseUser":{"employeeNumber":"123A","manager":{"value":"Taylor"}}}`})
	if r.path("name.givenName") != "Kim" {
		t.Errorf("PUT /Me = %s", r.raw)
	}
	r = h.must(http.StatusOK, req{method: "PATCH", path: "/scim2/Me", user: "kim", password: "kimwso2",
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","value":{"nickName":"kimmy"}}]}`})
	if r.str("nickName") != "kimmy" {
		t.Errorf("PATCH /Me = %s", r.raw)
	}
	h.do(req{method: "PATCH", path: "/scim2/Me", user: "kim", password: "kimwso2", body: patchBody(`{"op":"add","path":"groups","value":[{"value":"x"}]}`)}).scimError(t, 400, "mutability")
	h.do(req{method: "PATCH", path: "/scim2/Me", user: "kim", password: "kimwso2", body: patchBody(`{"op":"add","value":{"groups":[{"value":"x"}]}}`)}).scimError(t, 400, "mutability")
	h.do(req{method: "PUT", path: "/scim2/Me", user: "kim", password: "kimwso2", body: `{"userName":"kim","groups":[{"value":"x"}]}`}).scimError(t, 400, "mutability")
	// The groups it has, sent back as GET returned them, are ignored.
	back := h.must(http.StatusOK, req{path: "/scim2/Me", user: "kim", password: "kimwso2"})
	back.body["nickName"] = "kimmy2"
	raw, _ := json.Marshal(back.body)
	if r := h.must(http.StatusOK, req{method: "PUT", path: "/scim2/Me", user: "kim", password: "kimwso2", body: string(raw)}); r.str("nickName") != "kimmy2" {
		t.Errorf("PUT /Me of its own GET: %s", r.raw)
	}
	h.do(req{method: "PUT", path: "/scim2/Me", user: "kim", password: "kimwso2", body: `{"userName":"kim","id":"other"}`}).scimError(t, 400, "mutability")
	// Self-registration is off by default.
	h.do(req{method: "POST", path: "/scim2/Me", noAuth: true, body: `{"userName":"alex","password":"alexwso2"}`}).scimError(t, 403, "", "self-registration")
	h.must(http.StatusNoContent, req{method: "DELETE", path: "/scim2/Me", user: "kim", password: "kimwso2"})
	h.must(http.StatusUnauthorized, req{path: "/scim2/Me", user: "kim", password: "kimwso2"})
}

func TestSelfRegistration(t *testing.T) {
	h := startHarness(t, serverConfig{SelfRegistration: true})
	// The WSO2 guide's "Create Me", anonymous.
	r := h.must(http.StatusCreated, req{method: "POST", path: "/scim2/Me", noAuth: true,
		body: `{"schemas":[],"name":{"familyName":"Johnson","givenName":"Alex"},"userName":"alex","password":"alexwso2","emails":[{"primary":true,"value":"alex.j@gmail.com","type":"home"},{"value":"alex_j@wso2.com","type":"work"}],"EnterpriseUser":{"employeeNumber":"123A","manager":{"value":"Taylor"}}}`})
	if !strings.Contains(r.header.Get("Location"), "/scim2/Users/") {
		t.Errorf("Location = %q", r.header.Get("Location"))
	}
	h.must(http.StatusOK, req{path: "/scim2/Me", user: "alex", password: "alexwso2"})
	h.must(http.StatusForbidden, req{path: "/scim2/Users", user: "alex", password: "alexwso2"})
}

func TestEscalation(t *testing.T) {
	h := newHarness(t)
	// lee may update groups and view users, nothing more.
	lee := h.createUser(`{"userName":"lee","password":"pw"}`)
	h.createGroup(`{"displayName":"editors","members":[{"value":"` + lee + `"}],"urn:scimd:schemas:extension:authorization:2.0:Group":{"scopes":["internal_group_mgt_update","internal_group_mgt_view"]}}`)
	admins := h.idOf2("group", "Administrators")
	plain := h.createGroup(`{"displayName":"plain"}`)
	nested := h.createGroup(`{"displayName":"nested"}`)
	h.must(http.StatusOK, req{method: "PATCH", path: "/scim2/Groups/" + admins, body: patchBody(`{"op":"add","path":"members","value":[{"value":"` + nested + `"}]}`)})
	as := func(r req) req { r.user, r.password = "lee", "pw"; return r }
	cases := []struct {
		name string
		r    req
	}{
		{"add itself to the admins", req{method: "PATCH", path: "/scim2/Groups/" + admins, body: patchBody(`{"op":"add","path":"members","value":[{"value":"` + lee + `"}]}`)}},
		{"add itself to a group inside the admins", req{method: "PATCH", path: "/scim2/Groups/" + nested, body: patchBody(`{"op":"add","path":"members","value":[{"value":"` + lee + `"}]}`)}},
		{"grant a scope it lacks", req{method: "PATCH", path: "/scim2/Groups/" + plain, body: patchBody(`{"op":"add","path":"urn:scimd:schemas:extension:authorization:2.0:Group:scopes","value":["internal_user_mgt_delete"]}`)}},
		{"PUT a scope it lacks", req{method: "PUT", path: "/scim2/Groups/" + plain, body: `{"displayName":"plain","urn:scimd:schemas:extension:authorization:2.0:Group":{"scopes":["internal_user_mgt_create"]}}`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { h.do(as(c.r)).scimError(t, 403, "") })
	}
	// Renaming the admins' group grants nothing new: allowed.
	h.must(http.StatusOK, as(req{method: "PATCH", path: "/scim2/Groups/" + admins, body: patchBody(`{"op":"replace","path":"displayName","value":"Admins"}`)}))
	h.must(http.StatusOK, as(req{method: "PATCH", path: "/scim2/Groups/" + plain, body: patchBody(`{"op":"add","path":"members","value":[{"value":"` + lee + `"}]}`)}))
}

func TestLoginThrottle(t *testing.T) {
	h := newHarness(t)
	h.createUser(`{"userName":"victim","password":"right"}`)
	for range 10 {
		h.must(http.StatusUnauthorized, req{path: "/scim2/Me", user: "victim", password: "wrong"})
	}
	r := h.do(req{path: "/scim2/Me", user: "victim", password: "right"})
	r.scimError(t, 429, "", "too many")
	if r.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// Other accounts are not affected.
	h.must(http.StatusOK, req{path: "/scim2/Users"})

	// Concurrent guesses are counted before any is checked: at most 10
	// are checked at all.
	h.createUser(`{"userName":"target","password":"right"}`)
	statuses := make(chan int, 40)
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			statuses <- h.do(req{path: "/scim2/Me", user: "target", password: fmt.Sprintf("guess-%d", i)}).status
		})
	}
	wg.Wait()
	close(statuses)
	got := map[int]int{}
	for st := range statuses {
		got[st]++
	}
	if got[401] > 10 || got[401]+got[429] != 40 {
		t.Errorf("40 concurrent guesses were answered %v: want at most 10 checked (401), the rest refused (429)", got)
	}

	// Many requests at once with the right password, before any is
	// cached (a client starting its workers), are one attempt, not 40.
	h.createUser(`{"userName":"busy","password":"right"}`)
	statuses = make(chan int, 40)
	for range 40 {
		wg.Go(func() { statuses <- h.do(req{path: "/scim2/Me", user: "busy", password: "right"}).status })
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != http.StatusOK {
			t.Errorf("40 concurrent logins with the right password: one got %d, want all 200", st)
			break
		}
	}

	// A successful login clears the count.
	h.createUser(`{"userName":"forgetful","password":"right"}`)
	for range 9 {
		h.must(http.StatusUnauthorized, req{path: "/scim2/Me", user: "forgetful", password: "wrong"})
	}
	h.must(http.StatusOK, req{path: "/scim2/Me", user: "forgetful", password: "right"})
	for range 10 {
		h.must(http.StatusUnauthorized, req{path: "/scim2/Me", user: "forgetful", password: "wrong again"})
	}
	h.do(req{path: "/scim2/Me", user: "forgetful", password: "wrong again"}).scimError(t, 429, "", "too many")
}
