package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
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

	stopCheckpoints func()               // nil unless SQLite
	textDefs        map[string][]textDef // by resource type; set by syncIndexes

	stmts  sync.Map // query text → *sql.Stmt on read
	wstmts sync.Map // query text → *sql.Stmt on write
}

var _ store.Store = (*DB)(nil)

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
}

// Open opens the database named by dsn ("sqlite:path" or a bare path for
// SQLite) and applies pending migrations.
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
	path, ok := strings.CutPrefix(dsn, "sqlite:")
	if !ok && strings.Contains(dsn, "://") {
		return nil, fmt.Errorf("sqlstore: unsupported database %q (want sqlite:PATH)", redact(dsn))
	}
	db, err := openSQLite(path, opts)
	if err != nil {
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.syncIndexes(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func openSQLite(path string, opts Options) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlstore: empty SQLite path")
	}
	sync := strings.ToUpper(opts.Synchronous)
	if sync == "" {
		sync = "FULL"
	}
	if sync != "FULL" && sync != "NORMAL" {
		return nil, fmt.Errorf("sqlstore: synchronous must be FULL or NORMAL, not %q", opts.Synchronous)
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(0)&_pragma=synchronous(" + sync + ")"
	// Checkpoints run in the background (checkpointer); the automatic one,
	// which would run inside a commit and stall every writer, is only a
	// safety net for a WAL of 80 MB.
	write, err := sql.Open("sqlite", base+"&_pragma=cache_size(-65536)&_pragma=wal_autocheckpoint(20000)&_txlock=immediate")
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
	read, err := sql.Open("sqlite", base+"&_pragma=cache_size(-16384)&_pragma=query_only(1)")
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
	db.w = newWriter(write, opts.Logger)
	db.stopCheckpoints = db.checkpointer(time.Second)
	return db, nil
}

// checkpointer copies the WAL into the database file every interval, with
// PASSIVE checkpoints that neither wait for nor block the writer and the
// readers. It returns a function that stops it.
func (db *DB) checkpointer(interval time.Duration) func() {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if _, err := db.write.Exec("PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
					db.log.Warn("WAL checkpoint failed", "err", err)
				}
			}
		}
	}()
	return func() { close(done); <-stopped }
}

// Close stops the writer and closes the database.
func (db *DB) Close() error {
	if db.stopCheckpoints != nil {
		db.stopCheckpoints()
	}
	if db.w != nil {
		db.w.close()
	}
	return errors.Join(db.read.Close(), db.write.Close())
}

// Ping checks that the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
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

// redact hides the password of a database URL.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable database URL)"
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
	s, err := db.txStmt(ctx, tx, query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

// txQueryRow runs a single-row query inside tx.
func (db *DB) txQueryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	s, err := db.txStmt(ctx, tx, query)
	if err != nil {
		return tx.QueryRowContext(ctx, db.flavor.rebind(query), args...) // reports the same error
	}
	return s.QueryRowContext(ctx, args...)
}
