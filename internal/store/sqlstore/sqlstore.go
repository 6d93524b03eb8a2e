package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim/schema"
)

var errClosed = errors.New("sqlstore: closed")

// DB is a store.Store on an SQL database.
type DB struct {
	flavor *flavor
	read   *sql.DB // queries
	write  *sql.DB // writes (on SQLite, through the writer goroutine)
	w      *writer // nil unless flavor.groupCommit
	reg    *schema.Registry
	log    *slog.Logger
	now    func() time.Time

	stopBackground func()               // stops the work of every(): checkpoints, ANALYZE
	textDefs       map[string][]textDef // by resource type; set by syncIndexes
	indexes        map[indexDef]bool    // the database's attribute indexes, as syncIndexes left them
	applied        []string             // the migrations Open applied

	stmts  sync.Map       // query text → *sql.Stmt on read
	wstmts sync.Map       // query text → *sql.Stmt on write
	lists  *stmtCache     // list statements on read; nil unless the flavor prepares
	cache  *resourceCache // resources Get read; nil unless Exclusive on SQLite
	ranks  *ranks         // where index entries stand; nil unless Exclusive on SQLite
	unlock func()         // releases the Exclusive lock, if taken

	lastPurge atomic.Int64 // when CountLoginAttempts last removed ended windows (Unix ns)
}

var _ store.Store = (*DB)(nil)

// IndexPolicy says what Open does when the database's attribute indexes
// differ from those the registry declares.
type IndexPolicy int

const (
	// SyncIndexes builds the indexes the registry declares that the
	// database lacks, from the stored resources, and drops those it no
	// longer declares.
	SyncIndexes IndexPolicy = iota
	// KeepIndexes leaves them as they are: for commands beside running
	// servers, whose registry may not be the servers'. Substring search
	// uses the indexes both have.
	KeepIndexes
	// CheckIndexes refuses a database whose indexes differ, unless it
	// holds no resources yet (its indexes are then built): for the
	// replicas of a scaled-out deployment, which must not undo each
	// other's schemas; scimd migrate changes them.
	CheckIndexes
)

// Options configure Open.
type Options struct {
	Registry *schema.Registry // required
	Logger   *slog.Logger     // defaults to slog.Default()
	// Now is the clock; it defaults to time.Now.
	Now func() time.Time
	// Synchronous is SQLite's synchronous setting: "FULL" (the default:
	// an acknowledged write survives power loss) or "NORMAL" (survives a
	// crash of scimd, not of the machine).
	Synchronous string
	// Indexes says what Open does when the database's attribute indexes
	// differ from those the registry declares; the default builds and
	// drops indexes to match.
	Indexes IndexPolicy
	// NoMigrate refuses a database that lacks migrations of this scimd
	// instead of applying them: for reading a database that an older scimd
	// may be serving (the source of Copy).
	NoMigrate bool
	// Exclusive is for the one process that writes resources to an SQLite
	// database or changes its schema (scimd serve, copy, migrate): Open
	// refuses the database while another process has it open Exclusive
	// and, with no other writer of resources, keeps recently read
	// resources in memory. PostgreSQL databases are shared by replicas:
	// there it does nothing.
	Exclusive bool
}

// Open opens the database named by dsn — "sqlite:PATH" (or a bare path)
// for SQLite, a postgres:// or postgresql:// URL for PostgreSQL — applies
// pending migrations and makes the attribute indexes match the registry's,
// or not, as Options.Indexes says.
// On PostgreSQL that happens under an advisory lock, so that processes
// starting together wait for each other.
//
// A PostgreSQL URL takes libpq's parameters (sslmode, sslrootcert, ...)
// and pool_max_conns, the most connections the store opens (default 16).
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	if opts.Registry == nil {
		return nil, errors.New("sqlstore: Options.Registry is required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	var (
		db  *DB
		err error
	)
	path, isSQLite := strings.CutPrefix(dsn, "sqlite:")
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		db, err = openPostgres(ctx, dsn, opts)
	case !isSQLite && strings.Contains(dsn, "://"):
		return nil, fmt.Errorf("sqlstore: unsupported database %q (want sqlite:PATH or postgres://...)", redact(dsn))
	default:
		db, err = openSQLite(path, opts)
	}
	if err != nil {
		return nil, err
	}
	if err := db.prepare(ctx, opts); err != nil {
		db.Close()
		return nil, err
	}
	if db.flavor == postgresFlavor {
		db.every(analyzeInterval, db.analyze)
	}
	return db, nil
}

// prepare migrates the database (or checks that it needs no migration,
// with opts.NoMigrate) and applies opts.Indexes, holding the flavor's
// schema lock.
func (db *DB) prepare(ctx context.Context, opts Options) error {
	if db.flavor.lockSchema != nil {
		release, err := db.flavor.lockSchema(ctx, db.write)
		if err != nil {
			return err
		}
		defer release()
	}
	migrate := db.migrate
	if opts.NoMigrate {
		migrate = db.checkMigrated
	}
	if err := migrate(ctx); err != nil {
		return err
	}
	return db.syncIndexes(ctx, opts.Indexes)
}

// Applied returns the names of the migrations Open applied, oldest first.
func (db *DB) Applied() []string { return db.applied }

// Flavor returns the name of the database's dialect: sqlite or postgres.
func (db *DB) Flavor() string { return db.flavor.name }

func openSQLite(path string, opts Options) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlstore: empty SQLite path")
	}
	var unlock func()
	if opts.Exclusive {
		var err error
		switch unlock, err = lockExclusive(path); {
		case errors.Is(err, errors.ErrUnsupported):
		case err != nil:
			return nil, err
		}
	}
	db, err := openSQLiteFile(path, opts)
	if err != nil {
		if unlock != nil {
			unlock()
		}
		return nil, err
	}
	if unlock != nil {
		db.unlock, db.cache, db.ranks = unlock, newResourceCache(cachedResources), newRanks(rankBucket)
	}
	return db, nil
}

func openSQLiteFile(path string, opts Options) (*DB, error) {
	sync := strings.ToUpper(opts.Synchronous)
	if sync == "" {
		sync = "FULL"
	}
	if sync != "FULL" && sync != "NORMAL" {
		return nil, fmt.Errorf("sqlstore: synchronous must be FULL or NORMAL, not %q", opts.Synchronous)
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(0)&_pragma=synchronous(" + sync + ")"
	// Page caches: 32 MiB for the writer, 8 MiB for each of the four
	// readers. Each connection has its own; on 1M users larger ones held
	// 100 MiB more and served reads no faster (random reads mostly miss,
	// and the OS caches the file).
	// Checkpoints run in the background (checkpointer); the automatic one,
	// which would run inside a commit and stall every writer, is only a
	// safety net for a WAL of 80 MB.
	// The writer keeps its temporary files — the sub-journals of the
	// savepoints each write runs in — in memory; readers keep theirs
	// (materialized subqueries) in files: in memory, 32 sorted pages at
	// once took the server from 185 to 355 MiB.
	write, err := sql.Open("sqlite", base+"&_pragma=cache_size(-32768)&_pragma=wal_autocheckpoint(20000)&_pragma=temp_store(MEMORY)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	// The writer's transactions use one connection; the second lets
	// statements be prepared (for all transactions to reuse) while that
	// one is inside a transaction. Both are write connections, but only
	// the writer goroutine writes.
	write.SetMaxOpenConns(2)
	write.SetMaxIdleConns(2)
	write.SetConnMaxIdleTime(0)
	read, err := sql.Open("sqlite", base+"&_pragma=cache_size(-8192)&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, err
	}
	read.SetMaxOpenConns(4)
	read.SetMaxIdleConns(4)
	read.SetConnMaxIdleTime(0)
	// Fail early, with the path in the message, if the file can't be opened.
	if err := write.Ping(); err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	db := &DB{flavor: sqliteFlavor, read: read, write: write, reg: opts.Registry, log: opts.Logger, now: opts.Now}
	db.w = newWriter(write, db, opts.Logger)
	db.lists = newStmtCache(read, listStmts)
	db.every(time.Second, func(ctx context.Context) {
		if _, err := db.write.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)"); err != nil && ctx.Err() == nil {
			db.log.Warn("WAL checkpoint failed", "err", err)
		}
	})
	return db, nil
}

// every runs fn every interval in the background until Close.
func (db *DB) every(interval time.Duration, fn func(context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				fn(ctx)
			}
		}
	}()
	prev := db.stopBackground
	db.stopBackground = func() {
		cancel()
		<-stopped
		if prev != nil {
			prev()
		}
	}
}

// Close stops the writer and closes the database.
func (db *DB) Close() error {
	if db.stopBackground != nil {
		db.stopBackground()
	}
	if db.w != nil {
		db.w.close()
	}
	if db.unlock != nil {
		defer db.unlock()
	}
	if db.write == db.read {
		return db.read.Close()
	}
	return errors.Join(db.read.Close(), db.write.Close())
}

// Ping checks that the database answers a query.
// Ping checks that the database answers, and that its attribute indexes
// are those the store was opened with: another process, opened with other
// schemas, may have changed them (scimd migrate), and then this one would
// find too little and write index entries short.
func (db *DB) Ping(ctx context.Context) error {
	have, err := db.indexDefs(ctx, db.read)
	if err != nil {
		return err
	}
	if !maps.Equal(have, db.indexes) {
		return errors.New("sqlstore: the database's attribute indexes are no longer those of this process's schemas (another scimd, with other schemas, changed them): restart it with the same schemas")
	}
	return nil
}

// Shared reports whether the database at dsn may be used by several
// scimd processes at once, as PostgreSQL may, rather than by one.
func Shared(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// exec runs a write transaction: through the group-committing writer on
// SQLite, as a plain transaction retried on serialization failures elsewhere.
func (db *DB) exec(ctx context.Context, fn writeFunc) error {
	if db.w != nil {
		return db.w.do(ctx, fn)
	}
	for attempt := 0; ; attempt++ {
		err := db.execOnce(ctx, fn)
		if err == nil || !db.flavor.isRetryable(err) || attempt == 9 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 5 * time.Millisecond):
		}
	}
}

func (db *DB) execOnce(ctx context.Context, fn writeFunc) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(ctx, tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// queryRow runs a single-row read query, as a statement prepared once
// where the flavor prepares.
func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if db.flavor.prepare {
		if s, err := db.stmt(ctx, query); err == nil {
			return s.QueryRowContext(ctx, args...)
		}
	}
	return db.read.QueryRowContext(ctx, db.flavor.rebind(query), args...) // reports the error, if any
}

// stmt returns a prepared statement for a read query, preparing it once.
func (db *DB) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := db.stmts.Load(query); ok {
		return s.(*sql.Stmt), nil
	}
	s, err := db.read.PrepareContext(ctx, db.flavor.rebind(query))
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.stmts.LoadOrStore(query, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), nil
	}
	return s, nil
}

// redact hides the passwords of a database URL: the user's, and the
// password and sslpassword parameters libpq takes in the query.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable database URL)"
	}
	if q := u.Query(); q.Has("password") || q.Has("sslpassword") {
		for _, k := range []string{"password", "sslpassword"} {
			if q.Has(k) {
				q.Set(k, "xxxxx")
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// Registry returns the schema registry the store was opened with.
func (db *DB) Registry() *schema.Registry { return db.reg }

// txStmt returns a statement prepared once on the write database, bound to
// tx: writes don't pay for parsing SQL on every execution.
func (db *DB) txStmt(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	s, ok := db.wstmts.Load(query)
	if !ok {
		prepared, err := db.write.PrepareContext(ctx, db.flavor.rebind(query))
		if err != nil {
			return nil, err
		}
		var loaded bool
		if s, loaded = db.wstmts.LoadOrStore(query, prepared); loaded {
			prepared.Close()
		}
	}
	return tx.StmtContext(ctx, s.(*sql.Stmt)), nil
}

// txExec executes a statement inside tx.
func (db *DB) txExec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if !db.flavor.prepare {
		return tx.ExecContext(ctx, db.flavor.rebind(query), args...)
	}
	s, err := db.txStmt(ctx, tx, query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

// txQueryRow runs a single-row query inside tx.
func (db *DB) txQueryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	if !db.flavor.prepare {
		return tx.QueryRowContext(ctx, db.flavor.rebind(query), args...)
	}
	s, err := db.txStmt(ctx, tx, query)
	if err != nil {
		return tx.QueryRowContext(ctx, db.flavor.rebind(query), args...) // reports the same error
	}
	return s.QueryRowContext(ctx, args...)
}
