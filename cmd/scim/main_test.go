package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimd/scimd/client"
	"github.com/scimd/scimd/internal/scimdtest"
	"github.com/scimd/scimd/internal/server"
	"github.com/scimd/scimd/scim"
)

// The tests run the command in-process against a real scimd (see
// internal/scimdtest), mounted under a path prefix, as its administrator
// unless they say otherwise.

// cli is the outcome of one run.
type cli struct {
	code           int
	stdout, stderr string
}

// runCLI runs scim with args, the environment env (and an empty HOME) and
// standard input stdin.
func runCLI(t testing.TB, env map[string]string, stdin string, args ...string) cli {
	t.Helper()
	home := t.TempDir()
	getenv := func(k string) string {
		if k == "HOME" {
			return home
		}
		return env[k]
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut, getenv)
	return cli{code: code, stdout: out.String(), stderr: errOut.String()}
}

// newServer starts scimd and returns it with the environment that
// connects to it as its administrator with HTTP Basic.
func newServer(t *testing.T, opts scimdtest.Options) (*scimdtest.Server, map[string]string) {
	t.Helper()
	srv := scimdtest.Start(t, opts)
	return srv, map[string]string{"SCIM_URL": srv.URL, "SCIM_USER": scimdtest.AdminUser, "SCIM_PASSWORD": scimdtest.AdminPassword}
}

// degraded is a scimd without bulk, sorting, entity tags or cursors,
// whose requests rec records.
func degraded(rec *scimdtest.Recorder, d scimdtest.Degraded) scimdtest.Options {
	return scimdtest.Options{Wrap: func(h http.Handler) http.Handler { return rec.Wrap(d.Wrap(h)) }}
}

// admin returns a client for srv, as its administrator, to set up and
// check what the commands do.
func admin(t *testing.T, srv *scimdtest.Server) *client.Client {
	t.Helper()
	c, err := client.New(srv.URL, (&client.BasicAuthTransport{Username: scimdtest.AdminUser, Password: scimdtest.AdminPassword}).Client())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// addUser creates u in srv and returns its id.
func addUser(t *testing.T, srv *scimdtest.Server, u *scim.User) string {
	t.Helper()
	created, _, err := admin(t, srv).Users.Create(context.Background(), u, nil)
	if err != nil {
		t.Fatalf("creating %s: %v", u.UserName, err)
	}
	return created.ID
}

// findUser returns the user called userName, or nil. It reads every user,
// as a service provider without filtering leaves no other way.
func findUser(t *testing.T, srv *scimdtest.Server, userName string) scim.Resource {
	t.Helper()
	for u, err := range admin(t, srv).Resources("Users").All(context.Background(), nil) {
		if err != nil {
			t.Fatalf("finding %s: %v", userName, err)
		}
		if name, _ := u.Get("userName"); strings.EqualFold(name.(string), userName) {
			return *u
		}
	}
	return nil
}

// countUsers returns the number of users but the administrator.
func countUsers(t *testing.T, srv *scimdtest.Server) int {
	t.Helper()
	n, err := admin(t, srv).Users.Total(context.Background(), client.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return n - 1
}

func (r cli) wantCode(t *testing.T, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout: %s\nstderr: %s", r.code, code, r.stdout, r.stderr)
	}
}

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("output %q: %v", s, err)
	}
	return v
}

func TestUsage(t *testing.T) {
	_, env := newServer(t, scimdtest.Options{})
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"no command", nil, exitUsage, "", "no command"},
		{"unknown command", []string{"frobnicate"}, exitUsage, "", `unknown command "frobnicate"`},
		{"unknown subcommand", []string{"users", "frob"}, exitUsage, "", `unknown command "users frob"`},
		{"missing subcommand", []string{"groups"}, exitUsage, "", "groups needs one of: list, get, create, replace, patch, delete"},
		{"command flag before command", []string{"--filter", "x", "users", "list"}, exitUsage, "", "must come after the command"},
		{"unknown flag", []string{"users", "list", "--nope"}, exitUsage, "", "flag provided but not defined"},
		{"missing argument", []string{"users", "get"}, exitUsage, "", "want 1 argument(s) ID"},
		{"extra argument", []string{"users", "list", "x"}, exitUsage, "", "want 0 argument(s)"},
		{"bad output", []string{"users", "list", "-o", "yaml"}, exitUsage, "", `-o "yaml"`},
		{"help", []string{"help"}, exitOK, "Usage: scim", ""},
		{"-h", []string{"-h"}, exitOK, "SCIM_CLIENT_SECRET", ""},
		{"command help", []string{"users", "list", "--help"}, exitOK, "-filter", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, env, "", tt.args...)
			r.wantCode(t, tt.wantCode)
			if !strings.Contains(r.stdout, tt.wantStdout) || !strings.Contains(r.stderr, tt.wantStderr) {
				t.Errorf("stdout %q, stderr %q; want them to contain %q and %q", r.stdout, r.stderr, tt.wantStdout, tt.wantStderr)
			}
		})
	}
}

func TestNoURL(t *testing.T) {
	r := runCLI(t, nil, "", "users", "list")
	r.wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "SCIM_URL") {
		t.Errorf("stderr = %q, want it to name SCIM_URL", r.stderr)
	}
}

func TestGlobalFlagsAnywhere(t *testing.T) {
	srv, env := newServer(t, scimdtest.Options{})
	delete(env, "SCIM_URL")
	addUser(t, srv, &scim.User{UserName: "kim"})
	for _, args := range [][]string{
		{"--url", srv.URL, "-o", "table", "users", "list"},
		{"users", "--url=" + srv.URL, "list", "-o", "table"},
		{"users", "list", "-o=table", "--url", srv.URL},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := runCLI(t, env, "", args...)
			r.wantCode(t, exitOK)
			if !strings.Contains(r.stdout, "USERNAME") || !strings.Contains(r.stdout, "kim") {
				t.Errorf("stdout = %q, want a table with kim", r.stdout)
			}
		})
	}
}

func TestUserCommands(t *testing.T) {
	srv, env := newServer(t, scimdtest.Options{})

	r := runCLI(t, env, `{"userName":"kim","name":{"givenName":"Kim","familyName":"Jackson"},
		"emails":[{"value":"kim@example.com","type":"work","primary":true}],"nickName":null}`, "users", "create")
	r.wantCode(t, exitOK)
	u := decode[scim.User](t, r.stdout)
	if u.ID == "" || u.UserName != "kim" {
		t.Fatalf("create printed %s", r.stdout)
	}
	if !strings.HasPrefix(r.stdout, "{\n  \"") {
		t.Errorf("output is not indented JSON: %q", r.stdout)
	}

	r = runCLI(t, env, "", "users", "get", u.ID, "--attributes", "userName")
	r.wantCode(t, exitOK)
	if got := decode[scim.User](t, r.stdout); got.Name != nil || got.UserName != "kim" {
		t.Errorf("get --attributes userName printed %s", r.stdout)
	}

	file := filepath.Join(t.TempDir(), "kim.json")
	if err := os.WriteFile(file, []byte(`{"userName":"kim","title":"Tour Guide"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, env, "", "users", "replace", u.ID, "-f", file, "--if-match", u.Meta.Version)
	r.wantCode(t, exitOK)
	if got := decode[scim.User](t, r.stdout); got.Title != "Tour Guide" {
		t.Errorf("replace printed %s", r.stdout)
	}

	r = runCLI(t, env, "", "users", "replace", u.ID, "-f", file, "--if-match", u.Meta.Version)
	r.wantCode(t, exitError)
	for _, want := range []string{"PUT", "status:   412 Precondition Failed", "detail:"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stale replace stderr = %q, want %q", r.stderr, want)
		}
	}

	r = runCLI(t, env, `[{"op":"replace","path":"active","value":false}]`, "users", "patch", u.ID)
	r.wantCode(t, exitOK)
	if got := decode[scim.User](t, r.stdout); got.Active == nil || *got.Active {
		t.Errorf("patch printed %s", r.stdout)
	}

	r = runCLI(t, env, "", "users", "list", "--filter", `userName eq "kim"`, "-o", "table")
	r.wantCode(t, exitOK)
	if lines := strings.Split(strings.TrimSpace(r.stdout), "\n"); len(lines) != 2 || !strings.Contains(lines[1], "kim") || !strings.Contains(lines[1], "false") {
		t.Errorf("list -o table printed %q", r.stdout)
	}

	runCLI(t, env, "", "users", "delete", u.ID).wantCode(t, exitOK)
	if n := countUsers(t, srv); n != 0 {
		t.Errorf("%d users left after delete", n)
	}
	r = runCLI(t, env, "", "users", "get", u.ID)
	r.wantCode(t, exitError)
	if !strings.Contains(r.stderr, "404 Not Found") {
		t.Errorf("get after delete stderr = %q", r.stderr)
	}
}

func TestSCIMErrorOutput(t *testing.T) {
	srv, env := newServer(t, scimdtest.Options{})
	addUser(t, srv, &scim.User{UserName: "kim"})
	r := runCLI(t, env, `{"userName":"KIM"}`, "users", "create")
	r.wantCode(t, exitError)
	want := "scim: POST " + srv.URL + "/Users\n  status:   409 Conflict\n  scimType: uniqueness\n  detail:   userName \"kim\" is already taken\n"
	if r.stderr != want {
		t.Errorf("stderr =\n%s\nwant\n%s", r.stderr, want)
	}
	r = runCLI(t, env, `[1]`, "users", "create")
	r.wantCode(t, exitError)
	if !strings.Contains(r.stderr, "want a JSON object") {
		t.Errorf("stderr = %q", r.stderr)
	}
}

func TestListAllAndGroups(t *testing.T) {
	_, env := newServer(t, scimdtest.Options{})
	for _, n := range []string{"a", "b", "c"} {
		runCLI(t, env, `{"displayName":"team-`+n+`"}`, "groups", "create").wantCode(t, exitOK)
	}
	r := runCLI(t, env, "", "groups", "list", "--filter", `displayName sw "team"`, "--count", "1", "--all",
		"--sort", "displayName", "--sort-order", "descending")
	r.wantCode(t, exitOK)
	list := decode[scim.ListResponse[scim.Group]](t, r.stdout)
	if list.TotalResults != 3 || list.Resources[0].DisplayName != "team-c" {
		t.Errorf("groups list --all printed %s", r.stdout)
	}
}

func TestSortUnsupported(t *testing.T) {
	var rec scimdtest.Recorder
	srv, env := newServer(t, degraded(&rec, scimdtest.Degraded{}))
	addUser(t, srv, &scim.User{UserName: "kim"})
	r := runCLI(t, env, "", "users", "list", "--sort", "userName")
	r.wantCode(t, exitOK)
	if !strings.Contains(r.stderr, "does not support sorting") {
		t.Errorf("stderr = %q, want a warning", r.stderr)
	}
	for _, req := range rec.Requests("/Users") {
		if strings.Contains(req.Query, "sortBy") {
			t.Errorf("sent %s?%s to a service provider without sorting", req.Path, req.Query)
		}
	}
}

func TestDiscover(t *testing.T) {
	_, env := newServer(t, scimdtest.Options{})
	delete(env, "SCIM_USER") // discovery needs no authentication
	r := runCLI(t, env, "", "discover")
	r.wantCode(t, exitOK)
	out := decode[map[string]json.RawMessage](t, r.stdout)
	for _, k := range []string{"serviceProviderConfig", "resourceTypes", "schemas"} {
		if len(out[k]) == 0 || string(out[k]) == "null" {
			t.Errorf("discover output lacks %s", k)
		}
	}
	r = runCLI(t, env, "", "discover", "-o", "table")
	r.wantCode(t, exitOK)
	for _, want := range []string{"bulk", "maxOperations 1000", "cursor pagination", "/Groups", scim.EnterpriseUserSchema} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("discover -o table = %q, want %q", r.stdout, want)
		}
	}
}

func TestBulk(t *testing.T) {
	req := `{"failOnErrors":1,"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
		{"method":"POST","path":"/Users","bulkId":"qwerty","data":{"userName":"Kris","password":"krispass"}},
		{"method":"POST","path":"/Users","bulkId":"ytrewq","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"Jesse",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"11250","manager":{"value":"bulkId:qwerty"}}}}]}`
	for _, tt := range []struct {
		name     string
		degraded bool
	}{{"bulk", false}, {"one by one", true}} {
		t.Run(tt.name, func(t *testing.T) {
			var rec scimdtest.Recorder
			opts := scimdtest.Options{Wrap: rec.Wrap}
			if tt.degraded {
				opts = degraded(&rec, scimdtest.Degraded{})
			}
			srv, env := newServer(t, opts)
			r := runCLI(t, env, req, "bulk")
			r.wantCode(t, exitOK)
			res := decode[scim.BulkResponse](t, r.stdout)
			if len(res.Operations) != 2 || res.Operations[1].Status != http.StatusCreated {
				t.Errorf("bulk printed %s", r.stdout)
			}
			if got, want := len(rec.Requests("/Bulk")) > 0, !tt.degraded; got != want {
				t.Errorf("bulk requests sent: %v, want %v", got, want)
			}
			kris, jesse := findUser(t, srv, "Kris"), findUser(t, srv, "Jesse")
			if got, _ := jesse.Get(scim.EnterpriseUserSchema + ":manager.value"); kris == nil || got != kris.ID() {
				t.Errorf("manager = %v, want Kris's id", got)
			}
		})
	}
}

func TestBulkFailure(t *testing.T) {
	srv, env := newServer(t, scimdtest.Options{})
	addUser(t, srv, &scim.User{UserName: "a"})
	r := runCLI(t, env, `[{"method":"POST","path":"/Users","bulkId":"1","data":{"userName":"a"}},
		{"method":"POST","path":"/Users","bulkId":"2","data":{"userName":"b"}}]`, "bulk", "--fail-on-errors", "1")
	r.wantCode(t, exitError)
	if !strings.Contains(r.stderr, "operation 1 (POST /Users)") || !strings.Contains(r.stderr, "operation 2") {
		t.Errorf("stderr = %q, want both operations reported", r.stderr)
	}
}

func TestExport(t *testing.T) {
	srv, env := newServer(t, scimdtest.Options{Limits: server.Limits{MaxResults: 2}}) // pages of 2
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		addUser(t, srv, &scim.User{UserName: "u-" + n})
	}
	r := runCLI(t, env, "", "export", "users", "--filter", `userName sw "u-" and userName ne "u-c"`)
	r.wantCode(t, exitOK)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 4 {
		t.Fatalf("export printed %d lines, want 4:\n%s", len(lines), r.stdout)
	}
	for _, l := range lines {
		if u := decode[scim.User](t, l); u.ID == "" {
			t.Errorf("line %s has no id", l)
		}
	}
	runCLI(t, env, "", "export", "devices").wantCode(t, exitUsage)
}
