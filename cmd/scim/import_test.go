package main

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimd/scimd/internal/scimdtest"
	"github.com/scimd/scimd/internal/server"
	"github.com/scimd/scimd/scim"
)

const usersCSV = `userName,name.givenName,name.familyName,emails[type eq "work"].value,emails[type eq "home"].value,active,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber
kim,Kim,Jackson,kim@example.com,kim@home.example,true,701984
sam,Sam,Smith,sam@example.com,,false,
alex,Alex,Johnson,,,TRUE,123A
`

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// writes counts the bulk requests and the other writes rec recorded.
func writes(rec *scimdtest.Recorder) (bulk, other int) {
	for _, r := range rec.Requests("") {
		switch {
		case strings.HasSuffix(r.Path, "/Bulk"):
			bulk++
		case r.Method != http.MethodGet && !strings.HasSuffix(r.Path, "/.search"):
			other++
		}
	}
	return bulk, other
}

// listedAll reports whether rec recorded a walk through every user.
func listedAll(t *testing.T, rec *scimdtest.Recorder) bool {
	for _, r := range rec.Requests("/Users") {
		q, err := url.ParseQuery(r.Query)
		if err != nil {
			t.Fatal(err)
		}
		if r.Method == http.MethodGet && q.Get("startIndex") == "1" && !q.Has("filter") && q.Get("count") != "0" {
			return true
		}
	}
	return false
}

func TestImportCSV(t *testing.T) {
	tests := []struct {
		name      string
		degraded  *scimdtest.Degraded
		args      []string
		wantBulk  bool
		wantIndex bool // existing users read by listing them all
	}{
		{name: "bulk", wantBulk: true},
		{name: "no-bulk flag", args: []string{"--no-bulk"}},
		{name: "no bulk, sort, etag or filter", degraded: &scimdtest.Degraded{NoFilter: true}, wantIndex: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec scimdtest.Recorder
			opts := scimdtest.Options{Wrap: rec.Wrap}
			if tt.degraded != nil {
				opts = degraded(&rec, *tt.degraded)
			}
			srv, env := newServer(t, opts)
			file := writeFile(t, "users.csv", usersCSV)
			args := append([]string{"import", file}, tt.args...)

			r := runCLI(t, env, "", args...)
			r.wantCode(t, exitOK)
			checkReport(t, r.stdout, importReport{Created: 3, Failures: []failure{}})
			if bulk, _ := writes(&rec); (bulk > 0) != tt.wantBulk {
				t.Errorf("%d bulk requests sent, want them: %v", bulk, tt.wantBulk)
			}
			kim := findUser(t, srv, "kim")
			want := scim.Resource{
				"schemas":  []any{scim.UserSchema, scim.EnterpriseUserSchema},
				"userName": "kim", "name": map[string]any{"givenName": "Kim", "familyName": "Jackson"},
				"emails": []any{
					map[string]any{"type": "work", "value": "kim@example.com"},
					map[string]any{"type": "home", "value": "kim@home.example"},
				},
				"active":                  true,
				scim.EnterpriseUserSchema: map[string]any{"employeeNumber": "701984"},
			}
			delete(kim, "id")
			delete(kim, "meta")
			if diff := cmp.Diff(want, kim); diff != "" {
				t.Errorf("kim (-want +got):\n%s", diff)
			}

			// A re-run changes nothing; a changed row is updated, not duplicated.
			rec.Reset()
			runCLI(t, env, "", args...).wantCode(t, exitOK)
			if b, w := writes(&rec); w != 0 || b != 0 {
				t.Errorf("re-run sent %d writes and %d bulk requests, want none", w, b)
			}
			changed := strings.Replace(usersCSV, "sam,Sam,Smith", "SAM,Samuel,Smith", 1)
			r = runCLI(t, env, "", append([]string{"import", writeFile(t, "users.csv", changed)}, tt.args...)...)
			r.wantCode(t, exitOK)
			checkReport(t, r.stdout, importReport{Updated: 1, Unchanged: 2, Failures: []failure{}})
			if got := listedAll(t, &rec); got != tt.wantIndex { // before the checks below list users too
				t.Errorf("listed every user: %v, want %v", got, tt.wantIndex)
			}
			if n := countUsers(t, srv); n != 3 {
				t.Errorf("%d users after re-runs, want 3", n)
			}
			if sam := findUser(t, srv, "sam"); sam["name"].(map[string]any)["givenName"] != "Samuel" {
				t.Errorf("sam not updated: %v", sam)
			}
		})
	}
}

func checkReport(t *testing.T, out string, want importReport) {
	t.Helper()
	got := decode[importReport](t, out)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}

func TestImportFailures(t *testing.T) {
	_, env := newServer(t, scimdtest.Options{})
	csv := "userName,active,externalId\nok,true,1\n,true,2\nbad,maybe,3\nok,false,4\n"
	r := runCLI(t, env, "", "import", "--format", "csv", "-f", writeFile(t, "u.txt", csv))
	r.wantCode(t, exitError)
	checkReport(t, r.stdout, importReport{Created: 1, Failed: 3, Failures: []failure{
		{Line: 3, Detail: "no userName"},
		{Line: 4, UserName: "bad", Detail: `active: "maybe" is not true or false`},
		{Line: 5, UserName: "ok", Detail: `userName "ok" is also on line 2`},
	}})
	if !strings.Contains(r.stderr, "3 of 4 rows failed") {
		t.Errorf("stderr = %q", r.stderr)
	}
}

func TestImportServerErrors(t *testing.T) {
	// scimd refuses an attribute it does not know; the report says so for
	// the row, in bulk or not.
	for _, args := range [][]string{nil, {"--no-bulk"}} {
		t.Run(fmt.Sprint(args), func(t *testing.T) {
			srv, env := newServer(t, scimdtest.Options{})
			lines := "{\"userName\":\"kim\",\"shoeSize\":44}\n{\"userName\":\"sam\"}\n"
			r := runCLI(t, env, lines, append([]string{"import", "--format", "jsonl", "-o", "table"}, args...)...)
			r.wantCode(t, exitError)
			for _, want := range []string{"created    1", "failed     1", "LINE", "kim", "400", "shoeSize"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("report = %q, want %q", r.stdout, want)
				}
			}
			if findUser(t, srv, "sam") == nil || findUser(t, srv, "kim") != nil {
				t.Errorf("want sam imported and kim not")
			}
		})
	}
}

func TestImportJSONLines(t *testing.T) {
	srv, env := newServer(t, scimdtest.Options{})
	lines := `{"userName":"kim","name":{"givenName":"Kim"},"active":true}

{"userName":"sam","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Ops"}}
`
	file := writeFile(t, "users.jsonl", lines)
	r := runCLI(t, env, "", "import", file)
	r.wantCode(t, exitOK)
	checkReport(t, r.stdout, importReport{Created: 2, Failures: []failure{}})

	r = runCLI(t, env, "", "import", writeFile(t, "users.jsonl", `{"userName":"kim","name":{"givenName":"Kimberly"},"id":"ignored"}`))
	r.wantCode(t, exitOK)
	checkReport(t, r.stdout, importReport{Updated: 1, Failures: []failure{}})
	if got := findUser(t, srv, "kim")["name"]; !cmp.Equal(got, map[string]any{"givenName": "Kimberly"}) {
		t.Errorf("kim's name = %v", got)
	}
	sam := findUser(t, srv, "sam")
	if got, _ := sam.Get(scim.EnterpriseUserSchema + ":department"); got != "Ops" || !slices.Contains(sam.Schemas(), scim.EnterpriseUserSchema) {
		t.Errorf("sam = %v, want the enterprise extension", sam)
	}
}

func TestImportDryRun(t *testing.T) {
	var rec scimdtest.Recorder
	srv, env := newServer(t, scimdtest.Options{Wrap: rec.Wrap})
	addUser(t, srv, &scim.User{UserName: "kim", Name: &scim.Name{GivenName: "K"}})
	rec.Reset()
	r := runCLI(t, env, "", "import", "--dry-run", writeFile(t, "u.csv", "userName,name.givenName\nkim,Kim\nsam,Sam\n"))
	r.wantCode(t, exitOK)
	checkReport(t, r.stdout, importReport{DryRun: true, Created: 1, Updated: 1, Failures: []failure{}})
	if b, w := writes(&rec); w != 0 || b != 0 {
		t.Errorf("dry run sent %d writes and %d bulk requests", w, b)
	}
}

func TestImportManyInBatches(t *testing.T) {
	var rec scimdtest.Recorder
	srv, env := newServer(t, scimdtest.Options{Limits: server.Limits{MaxOperations: 7}, Wrap: rec.Wrap})
	var b strings.Builder
	b.WriteString("userName,emails[type eq work].value\n")
	for i := range 100 {
		fmt.Fprintf(&b, "user%03d,user%03d@example.com\n", i, i)
	}
	r := runCLI(t, env, "", "import", "--concurrency", "3", writeFile(t, "u.csv", b.String()))
	r.wantCode(t, exitOK)
	checkReport(t, r.stdout, importReport{Created: 100, Failures: []failure{}})
	if n, _ := writes(&rec); n != 15 {
		t.Errorf("%d bulk requests, want 15 (100 users, 7 per request)", n)
	}
	if n := countUsers(t, srv); n != 100 {
		t.Errorf("%d users stored, want 100", n)
	}
}
