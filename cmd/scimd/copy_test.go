package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/scimd/scimd/internal/store/sqlstore/pgtest"
)

// TestCopyCommand moves a database that scimd made on SQLite to PostgreSQL
// and serves it from there.
func TestCopyCommand(t *testing.T) {
	dir := t.TempDir()
	from := "sqlite:" + filepath.Join(dir, "scimd.db")
	p := start(t, dir, nil, "--db", from, "--admin-password", "pw")
	p.mustCall(t, 201, call{method: "POST", path: "/scim2/Users", body: `{"userName":"kim","password":"kim-password"}`})
	p.cmd.Process.Kill()
	p.cmd.Wait()

	to := pgtest.DSN(t)
	for range 2 { // a second run finds nothing to do
		out := runCommand(t, "copy", "--from", from, "--to", to)
		if !regexp.MustCompile(`-\s+tenants\s+1\s+1`).MatchString(out) || !strings.Contains(out, "counts match") {
			t.Errorf("copy printed:\n%s", out)
		}
	}
	q := start(t, dir, nil, "--db", to)
	q.mustCall(t, 200, call{path: "/scim2/Me", user: "kim", password: "kim-password"})
	if strings.Contains(q.stdout(), "password") {
		t.Errorf("scimd on the copy made a new admin:\n%s", q.stdout())
	}

	var stdout, stderr bytes.Buffer
	fresh := "sqlite:" + filepath.Join(t.TempDir(), "other.db")
	other := start(t, dir, nil, "--db", fresh, "--admin-password", "other")
	other.cmd.Process.Kill()
	other.cmd.Wait() // until it exits, it holds the database
	if code := run(context.Background(), []string{"copy", "--from", from, "--to", fresh}, &stdout, &stderr, os.Getenv); code != exitError || !strings.Contains(stderr.String(), "empty database") {
		t.Errorf("copy into a database with an admin of its own: exit %d\n%s", code, stderr.String())
	}
}
