package server_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/scimd/scimd/internal/store/sqlstore/pgtest"
)

// envBackend selects the database the harness runs on: sqlite (the
// default) or postgres.
const envBackend = "SCIMD_TEST_BACKEND"

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// testDSN returns the database of a new harness: a new SQLite file, or a
// new database of the test PostgreSQL (see pgtest).
func testDSN(t *testing.T) string {
	t.Helper()
	switch b := os.Getenv(envBackend); b {
	case "", "sqlite":
		return "sqlite:" + filepath.Join(t.TempDir(), "scimd.db")
	case "postgres":
		return pgtest.DSN(t)
	default:
		t.Fatalf("%s=%q: want sqlite or postgres", envBackend, b)
		return ""
	}
}

// TestOnPostgres runs this package's tests once more, in a child process
// (this test binary again), with every harness on PostgreSQL: so "go test
// ./..." serves the HTTP suite from both backends. The child makes its
// databases on this process's PostgreSQL.
func TestOnPostgres(t *testing.T) {
	if os.Getenv(envBackend) != "" {
		t.Skipf("%s is set: this run is on one backend already", envBackend)
	}
	env := pgtest.Env(t)
	args := []string{"-test.count=1"}
	if testing.Verbose() {
		args = append(args, "-test.v")
	}
	if d, ok := t.Deadline(); ok {
		args = append(args, "-test.timeout="+time.Until(d).Round(time.Second).String())
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), envBackend+"=postgres"), env...)
	out, err := cmd.CombinedOutput()
	if testing.Verbose() || err != nil {
		t.Logf("the tests on PostgreSQL:\n%s", out)
	}
	if err != nil {
		t.Fatalf("the tests failed on PostgreSQL: %v", err)
	}
}
