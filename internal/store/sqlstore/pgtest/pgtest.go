// Package pgtest gives tests PostgreSQL databases: on the server that the
// environment variable SCIMD_TEST_POSTGRES names (a URL of a role that may
// create databases), or else on a throwaway cluster it starts itself, once
// per test binary, from the system's PostgreSQL binaries: initdb into a
// temporary directory, postgres on a free loopback port.
//
// Every test gets a database of its own (DSN), dropped when it ends. The
// cluster's databases use an ICU collation (where PostgreSQL has ICU) that
// does not order strings by their bytes, so that a query relying on the
// database's collation where scimd needs byte order fails its tests.
//
// Where PostgreSQL is not installed (and SCIMD_TEST_POSTGRES names no
// server), or with SCIMD_TEST_POSTGRES=skip, tests that need it are
// skipped, loudly: Main ends the run with a notice of how many were, and
// how to run them. A PostgreSQL that is installed or named but fails fails
// them. Use Main in TestMain to stop the cluster when the tests end;
// should the binary die first, the cluster dies with it (on Linux), and
// the next run removes its directory.
//
// Run as root, the cluster runs as the user postgres (or nobody): initdb
// refuses to run as root.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the pgx database/sql driver
)

// Environment variables that configure the package.
const (
	// EnvDSN names an existing PostgreSQL server to create test databases
	// on, as a URL: postgres://user:password@host:port/dbname; or is
	// "skip", to skip the tests that need PostgreSQL as if it were not
	// installed.
	EnvDSN = "SCIMD_TEST_POSTGRES"
	// EnvBin names the directory of initdb and postgres, when they are
	// neither on PATH nor in /usr/lib/postgresql/*/bin.
	EnvBin = "SCIMD_TEST_POSTGRES_BIN"
	// EnvTemplate names the database that test databases on the server of
	// EnvDSN are copied from (default template0). Env sets it.
	EnvTemplate = "SCIMD_TEST_POSTGRES_TEMPLATE"
)

var (
	mu      sync.Mutex
	srv     *server // nil until first used
	srvErr  error   // why there is no server
	skipped atomic.Int32
	seq     atomic.Int64
)

// server is where test databases are made.
type server struct {
	admin   *sql.DB  // a connection pool to its maintenance database
	base    *url.URL // the URL of the maintenance database
	cluster *cluster // nil on an external server
	// template is the database new ones are copied from.
	template string
}

// Main runs a package's tests, then calls Done:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	Done()
	return code
}

// Done stops the cluster, if a test started one, removes its directory,
// and reports on standard error how many tests were skipped for want of
// PostgreSQL.
func Done() {
	mu.Lock()
	defer mu.Unlock()
	if n := skipped.Load(); n > 0 {
		fmt.Fprintf(os.Stderr, "\n*** pgtest: %d tests that need PostgreSQL were SKIPPED: %v\n"+
			"*** Install PostgreSQL (Debian: apt-get install postgresql) or set %s to the URL of a server where tests may create databases.\n\n",
			n, srvErr, EnvDSN)
	}
	if srv == nil {
		return
	}
	srv.admin.Close()
	if srv.cluster != nil {
		srv.cluster.stop()
	}
	srv = nil
	srvErr = fmt.Errorf("pgtest: stopped")
}

// DSN returns the URL of a new, empty database for t, which is dropped
// when t and its subtests end. Without PostgreSQL it skips t; with a
// PostgreSQL that fails, it fails t.
func DSN(t testing.TB) string {
	t.Helper()
	s, err := get()
	if err != nil {
		unavailable(t, err)
	}
	name := fmt.Sprintf("scimd_test_%d_%d", os.Getpid(), seq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := s.admin.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE `+quoteIdent(s.template)); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := s.admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	u := *s.base
	u.Path = "/" + name
	return u.String()
}

// Env returns the environment under which a child process, such as
// another run of the test binary, makes its databases on this process's
// server, from the same template, instead of starting a cluster of its
// own. Without PostgreSQL it skips t, or fails it, as DSN does.
func Env(t testing.TB) []string {
	t.Helper()
	s, err := get()
	if err != nil {
		unavailable(t, err)
	}
	return []string{EnvDSN + "=" + s.base.String(), EnvTemplate + "=" + s.template}
}

// errNoPostgres is why tests that need PostgreSQL are skipped.
var errNoPostgres = errors.New("PostgreSQL is not installed")

// unavailable skips t when there is no PostgreSQL, and fails it when the
// PostgreSQL there is fails.
func unavailable(t testing.TB, err error) {
	t.Helper()
	if errors.Is(err, errNoPostgres) {
		skipped.Add(1)
		t.Skipf("SKIPPED, needs PostgreSQL: %v", err)
	}
	t.Fatalf("this test needs PostgreSQL, which failed: %v", err)
}

// get returns the server, starting the cluster on first use.
func get() (*server, error) {
	mu.Lock()
	defer mu.Unlock()
	if srv != nil || srvErr != nil {
		return srv, srvErr
	}
	srv, srvErr = open()
	return srv, srvErr
}

func open() (*server, error) {
	switch dsn := os.Getenv(EnvDSN); dsn {
	case "":
	case "skip":
		return nil, fmt.Errorf("%w (%s=skip)", errNoPostgres, EnvDSN)
	default:
		u, err := url.Parse(dsn)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return nil, fmt.Errorf("%s is not a postgres:// URL (nor skip)", EnvDSN)
		}
		return connect(u, nil)
	}
	c, err := startCluster()
	if err != nil {
		return nil, err
	}
	s, err := connect(c.url(), c)
	if err != nil {
		c.stop()
		return nil, err
	}
	return s, nil
}

// connect opens the maintenance connection and makes the template that
// test databases are copied from.
func connect(u *url.URL, c *cluster) (*server, error) {
	admin, err := sql.Open("pgx", u.String())
	if err != nil {
		return nil, err
	}
	admin.SetMaxOpenConns(4)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		return nil, fmt.Errorf("pgtest: connect to %s: %w", u.Redacted(), err)
	}
	s := &server{admin: admin, base: u, cluster: c, template: "template0"}
	if t := os.Getenv(EnvTemplate); t != "" && c == nil {
		s.template = t
	}
	if c != nil {
		// The cluster's own template: a collation that is not byte order,
		// and pg_trgm installed, as a production database would have it.
		s.template = "scimd_template"
		if err := c.makeTemplate(ctx, admin, s.template); err != nil {
			admin.Close()
			return nil, err
		}
	}
	return s, nil
}

// quoteIdent quotes an SQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
