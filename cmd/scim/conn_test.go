package main

import (
	"context"
	"encoding/base64"
	"flag"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimd/scimd/client"
	"github.com/scimd/scimd/internal/auth"
	"github.com/scimd/scimd/internal/scimdtest"
	"github.com/scimd/scimd/scim"
)

// resolveArgs parses args as global flags and resolves the connection.
func resolveArgs(t *testing.T, args []string, env map[string]string) (connection, error) {
	t.Helper()
	var c connFlags
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	c.visited = visitedFlags(fs)
	return c.resolve(func(k string) string { return env[k] })
}

func TestResolveConnection(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "config.json")
	if err := os.WriteFile(config, []byte(`{"default":"prod","profiles":{
		"prod":{"url":"https://prod/scim2","client-id":"cid","client-secret":"csecret","scopes":"a b"},
		"lab":{"url":"https://lab/scim2","user":"admin","password":"admin","insecure":"true"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	xdg := map[string]string{"XDG_CONFIG_HOME": dir}
	if err := os.MkdirAll(filepath.Join(dir, "scim"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(config, filepath.Join(dir, "scim", "config.json")); err != nil {
		t.Fatal(err)
	}
	with := func(base map[string]string, kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want connection
	}{
		{
			name: "flags only",
			args: []string{"--url", "https://x/scim2", "--token", "t"},
			want: connection{"url": "https://x/scim2", "token": "t"},
		},
		{
			name: "environment",
			env:  map[string]string{"SCIM_URL": "https://e/scim2", "SCIM_USER": "u", "SCIM_PASSWORD": "p"},
			want: connection{"url": "https://e/scim2", "user": "u", "password": "p"},
		},
		{
			name: "flag beats environment",
			args: []string{"--url", "https://f/scim2"},
			env:  map[string]string{"SCIM_URL": "https://e/scim2"},
			want: connection{"url": "https://f/scim2"},
		},
		{
			name: "default profile",
			env:  xdg,
			want: connection{"url": "https://prod/scim2", "client-id": "cid", "client-secret": "csecret", "scopes": "a b"},
		},
		{
			name: "named profile",
			args: []string{"--profile", "lab"},
			env:  xdg,
			want: connection{"url": "https://lab/scim2", "user": "admin", "password": "admin", "insecure": "true", "profile": "lab"},
		},
		{
			name: "authentication comes from one source",
			args: []string{"--token", "t"},
			env:  with(xdg, "SCIM_PASSWORD", "envpass"),
			want: connection{"url": "https://prod/scim2", "token": "t", "scopes": "a b"},
		},
		{
			name: "environment authentication beats the profile's",
			env:  with(xdg, "SCIM_USER", "u", "SCIM_PASSWORD", "p"),
			want: connection{"url": "https://prod/scim2", "user": "u", "password": "p", "scopes": "a b"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolveArgs(t, tt.args, tt.env)
			if err != nil {
				t.Fatalf("resolve: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("connection (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolveConnectionErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"profiles":{"p":{"url":"u","pasword":"typo-secret"}}}`), 0o600)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing explicit config", []string{"--config", filepath.Join(dir, "none.json")}, "no such file"},
		{"missing profile", []string{"--config", bad, "--profile", "q"}, `no profile "q"`},
		{"unknown key", []string{"--config", bad, "--profile", "p"}, `unknown setting "pasword"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := resolveArgs(t, tt.args, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "typo-secret") {
				t.Errorf("error %q reveals a secret", err)
			}
		})
	}
}

func TestDeriveTokenURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://api.asgardeo.io/t/example/scim2", "https://api.asgardeo.io/t/example/oauth2/token"},
		{"https://localhost:9443/scim2/", "https://localhost:9443/oauth2/token"},
		{"http://127.0.0.1:8080/t/test.com/scim2", "http://127.0.0.1:8080/t/test.com/oauth2/token"},
		{"https://example.com/v2", ""},
	}
	for _, tt := range tests {
		got, ok := deriveTokenURL(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("deriveTokenURL(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestAuthentication(t *testing.T) {
	var rec scimdtest.Recorder
	srv := scimdtest.Start(t, scimdtest.Options{Wrap: rec.Wrap})
	// A userName with "@" and a password with ":" survive Basic's encoding.
	kim := addUser(t, srv, &scim.User{UserName: "kim@test.com", Password: "pa:ss"})
	addToAdministrators(t, srv, kim)
	token := srv.AddAPIToken(t, "", auth.UserList)
	clientID, secret := srv.AddOAuthClient(t, "", auth.Scopes...)
	srv.AddTenant(t, "example.com")
	tenantClientID, tenantSecret := srv.AddOAuthClient(t, "example.com", auth.UserList)

	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("kim@test.com:pa:ss"))
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		want   string // the Authorization header; "Bearer JWT" for any token from the token endpoint
		scopes string // the scopes of the token request
	}{
		{name: "bearer flag", args: []string{"--token", token}, want: "Bearer " + token},
		{name: "bearer env", env: map[string]string{"SCIM_TOKEN": token}, want: "Bearer " + token},
		{name: "basic", args: []string{"--user", "kim@test.com"}, env: map[string]string{"SCIM_PASSWORD": "pa:ss"}, want: basic},
		{
			name: "client credentials, token URL derived",
			args: []string{"--client-id", clientID, "--client-secret", secret, "--scopes", auth.UserList + "," + auth.UserView},
			want: "Bearer JWT", scopes: auth.UserList + " " + auth.UserView,
		},
		{
			name: "client credentials of a tenant, token URL given",
			args: []string{"--url", srv.TenantURL("example.com"), "--client-id", tenantClientID, "--token-url", srv.TokenURL("example.com")},
			env:  map[string]string{"SCIM_CLIENT_SECRET": tenantSecret},
			want: "Bearer JWT",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec.Reset()
			env := map[string]string{"SCIM_URL": srv.URL}
			maps.Copy(env, tt.env)
			r := runCLI(t, env, "", append([]string{"users", "list"}, tt.args...)...)
			r.wantCode(t, exitOK)
			reqs := rec.Requests("/Users")
			if len(reqs) != 1 {
				t.Fatalf("%d requests to /Users, want 1", len(reqs))
			}
			got := reqs[0].Header.Get("Authorization")
			if tt.want == "Bearer JWT" {
				if tok, ok := strings.CutPrefix(got, "Bearer "); !ok || strings.Count(tok, ".") != 2 {
					t.Errorf("Authorization = %q, want a JWT from the token endpoint", got)
				}
			} else if got != tt.want {
				t.Errorf("Authorization = %q, want %q", got, tt.want)
			}
			if tt.scopes != "" {
				form, _ := url.ParseQuery(string(rec.Requests("/oauth2/token")[0].Body))
				if got := form.Get("scope"); got != tt.scopes {
					t.Errorf("token request scope = %q, want %q", got, tt.scopes)
				}
			}
		})
	}
}

// addToAdministrators adds a user to the group holding every scope.
func addToAdministrators(t *testing.T, srv *scimdtest.Server, id string) {
	t.Helper()
	c := admin(t, srv)
	list, _, err := c.Groups.List(context.Background(), &client.ListOptions{Filter: client.Eq("displayName", "Administrators")})
	if err != nil || len(list.Resources) != 1 {
		t.Fatalf("Administrators: %v, %v", list, err)
	}
	p := new(client.Patch).Add("members", []scim.Member{{Value: id}})
	if _, _, err := c.Groups.Patch(context.Background(), list.Resources[0].ID, p, nil); err != nil {
		t.Fatal(err)
	}
}

func TestAuthenticationRefused(t *testing.T) {
	srv := scimdtest.Start(t, scimdtest.Options{})
	tests := []struct {
		name string
		env  map[string]string
	}{
		{"none", nil},
		{"wrong password", map[string]string{"SCIM_USER": scimdtest.AdminUser, "SCIM_PASSWORD": "wrong"}},
		{"unknown token", map[string]string{"SCIM_TOKEN": "scimd_nope"}},
		{"wrong client secret", map[string]string{"SCIM_CLIENT_ID": "nobody", "SCIM_CLIENT_SECRET": "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"SCIM_URL": srv.URL}
			maps.Copy(env, tt.env)
			r := runCLI(t, env, "", "users", "list")
			r.wantCode(t, exitError)
			if !strings.Contains(r.stderr, "401") && !strings.Contains(r.stderr, "invalid_client") {
				t.Errorf("stderr = %q, want the refusal", r.stderr)
			}
		})
	}
}

func TestAuthenticationConflict(t *testing.T) {
	_, env := newServer(t, scimdtest.Options{})
	r := runCLI(t, env, "", "users", "list", "--token", "secret-token", "--user", "kim", "--password", "secret-pw")
	r.wantCode(t, exitUsage)
	if strings.Contains(r.stderr, "secret") {
		t.Errorf("stderr %q reveals a secret", r.stderr)
	}
}
