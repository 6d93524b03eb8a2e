package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// dirPrefix names the temporary directories of clusters, so that a later
// run can find and remove those whose test binary died.
const dirPrefix = "scimd-pgtest-"

// cluster is a PostgreSQL cluster this process started.
type cluster struct {
	dir      string // holds data/, postgres.log and the lock file
	port     int
	password string // of the superuser postgres
	proc     *process
	lock     *os.File // held while the cluster lives
}

func (c *cluster) data() string { return filepath.Join(c.dir, "data") }

// url is the superuser's URL of the maintenance database.
func (c *cluster) url() *url.URL {
	return &url.URL{Scheme: "postgres", User: url.UserPassword("postgres", c.password),
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)), Path: "/postgres", RawQuery: "sslmode=disable"}
}

// startCluster runs initdb into a new temporary directory and starts
// postgres on a free port.
func startCluster() (*cluster, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	owner, err := clusterOwner()
	if err != nil {
		return nil, err
	}
	reapStale()
	dir, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		return nil, err
	}
	c := &cluster{dir: dir, password: rand.Text()}
	if c.lock, err = lockDir(dir); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := c.initdb(bin, owner); err != nil {
		c.remove()
		return nil, err
	}
	// Another process may take the free port before postgres binds it.
	for attempt := 0; ; attempt++ {
		if c.port, err = freePort(); err == nil {
			err = c.start(bin, owner)
		}
		if err == nil || attempt == 2 || !strings.Contains(err.Error(), "could not bind") {
			break
		}
	}
	if err != nil {
		c.remove()
		return nil, err
	}
	return c, nil
}

// initdb creates the cluster: UTF-8, the superuser postgres with a random
// password for TCP connections, no other access.
func (c *cluster) initdb(bin string, owner *owner) error {
	pwfile := filepath.Join(c.dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(c.password+"\n"), 0o600); err != nil {
		return err
	}
	if err := os.Mkdir(c.data(), 0o700); err != nil {
		return err
	}
	for _, p := range []string{c.dir, c.data(), pwfile} {
		if err := owner.chown(p); err != nil {
			return err
		}
	}
	out, err := owner.command(filepath.Join(bin, "initdb"), "-D", c.data(), "-U", "postgres", "--pwfile", pwfile,
		"--auth-host=scram-sha-256", "--auth-local=reject", "--encoding=UTF8", "--locale=C", "--no-sync").CombinedOutput()
	os.Remove(pwfile)
	if err != nil {
		return fmt.Errorf("pgtest: initdb (as %s, in %s): %v\n%s", owner.name, c.dir, err, out)
	}
	return nil
}

// start runs postgres and waits until it accepts connections. The settings
// trade durability, which a throwaway cluster doesn't need, for speed.
func (c *cluster) start(bin string, owner *owner) error {
	logPath := filepath.Join(c.dir, "postgres.log")
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := owner.command(filepath.Join(bin, "postgres"), "-D", c.data(), "-p", strconv.Itoa(c.port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=300", "-c", "shared_buffers=64MB", "-c", "max_wal_size=1GB",
		"-c", "dynamic_shared_memory_type=mmap", "-c", "deadlock_timeout=100ms", "-c", "log_min_messages=warning")
	cmd.Stdout, cmd.Stderr = log, log
	if c.proc, err = startProcess(cmd); err != nil {
		return fmt.Errorf("pgtest: start postgres: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := c.waitReady(ctx); err != nil {
		c.proc.stop()
		b, _ := os.ReadFile(logPath)
		return fmt.Errorf("pgtest: postgres did not start: %w\n%s", err, b)
	}
	return nil
}

func (c *cluster) waitReady(ctx context.Context) error {
	db, err := sql.Open("pgx", c.url().String()+"&connect_timeout=2")
	if err != nil {
		return err
	}
	defer db.Close()
	for {
		err := db.PingContext(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-c.proc.exited:
			return errors.New("postgres exited")
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// makeTemplate creates the database that test databases copy: an ICU
// collation (when the server has ICU) that orders "a" < "B" < "c", unlike
// byte order, and pg_trgm, which scimd's migrations need.
func (c *cluster) makeTemplate(ctx context.Context, admin *sql.DB, name string) error {
	_, err := admin.ExecContext(ctx, `CREATE DATABASE `+quoteIdent(name)+` TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'`)
	if err != nil {
		// Built without ICU: the libc C collation, which is byte order.
		_, err = admin.ExecContext(ctx, `CREATE DATABASE `+quoteIdent(name)+` TEMPLATE template0 ENCODING 'UTF8'`)
	}
	if err != nil {
		return fmt.Errorf("pgtest: create template: %w", err)
	}
	return nil
}

// stop shuts postgres down and removes the cluster's directory.
func (c *cluster) stop() {
	if c.proc != nil {
		c.proc.stop()
	}
	c.remove()
}

func (c *cluster) remove() {
	os.RemoveAll(c.dir)
	if c.lock != nil {
		c.lock.Close()
	}
}

// findBinaries returns the directory of initdb and postgres: the one
// SCIMD_TEST_POSTGRES_BIN names, initdb's on PATH, or the newest of
// Debian's /usr/lib/postgresql/*/bin.
func findBinaries() (string, error) {
	var dirs []string
	if d := os.Getenv(EnvBin); d != "" {
		dirs = append(dirs, d)
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		dirs = append(dirs, filepath.Dir(p))
	}
	debian, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(debian, func(a, b string) int { return versionOf(b) - versionOf(a) })
	dirs = append(dirs, debian...)
	dirs = append(dirs, "/usr/local/pgsql/bin")
	for _, d := range dirs {
		if isFile(filepath.Join(d, "initdb")) && isFile(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", fmt.Errorf("%w: no initdb and postgres on PATH, in /usr/lib/postgresql/*/bin or in %s", errNoPostgres, EnvBin)
}

func versionOf(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// freePort returns a loopback TCP port that is free now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// reapStale removes the directories of clusters whose test binary died
// without stopping them: their lock is free. A postgres still running
// there (where there is no parent-death signal) shuts itself down within
// a minute of its postmaster.pid disappearing.
func reapStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, d := range dirs {
		f, err := tryLockDir(d)
		if err != nil {
			continue // in use, or not ours to judge
		}
		os.RemoveAll(d)
		f.Close()
	}
}
