package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/filter"
)

// postgresFlavor runs on PostgreSQL through pgx as a database/sql driver,
// so that both flavors share every query, transaction and scan; pgx
// prepares and caches each statement on each connection (and drops one
// that a migration invalidated). Writes are plain
// transactions at READ COMMITTED, retried on serialization failures and
// deadlocks, with row locks where they read before they write.
var postgresFlavor = &flavor{
	name:            "postgres",
	migrations:      "migrations/postgres",
	migrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied BIGINT NOT NULL)`,
	countShards:     16,
	rebind:          rebindDollar,
	isUnique:        func(err error) bool { return pgCode(err) == "23505" },
	isRetryable: func(err error) bool {
		code := pgCode(err)
		return code == "40001" || code == "40P01" // serialization_failure, deadlock_detected
	},
	lockSchema:    advisoryLock,
	lockForDelete: " FOR UPDATE",
	lockForUpdate: " FOR NO KEY UPDATE",
	lockForMember: " FOR KEY SHARE",
	snapshot:      &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	dataJSON:      "data::jsonb",
	sql:           postgresDialect{},
}

func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// defaultPoolSize is the connections a scimd keeps to PostgreSQL at most,
// unless the URL's pool_max_conns says otherwise.
const defaultPoolSize = 16

// openPostgres connects to the database a postgres:// URL names. The URL's
// parameters are libpq's (sslmode, ...), plus pool_max_conns.
//
// Like SQLite's, the store has two pools: one for write transactions, one
// for reads. A write may read through the store meanwhile (the server's
// Update callbacks do); were both one pool, writes holding every
// connection would wait forever for one to read with.
func openPostgres(ctx context.Context, dsn string, opts Options) (*DB, error) {
	u, err := url.Parse(dsn)
	if err != nil { // url.Parse's error holds the whole URL, password and all
		return nil, fmt.Errorf("sqlstore: %s: not a URL", redact(dsn))
	}
	size := defaultPoolSize
	var params []string // the URL's other parameters, as they are written
	for _, p := range strings.Split(u.RawQuery, "&") {
		name, value, _ := strings.Cut(p, "=")
		if name != "pool_max_conns" {
			params = append(params, p)
			continue
		}
		if size, err = strconv.Atoi(value); err != nil || size < 4 {
			return nil, fmt.Errorf("sqlstore: pool_max_conns=%q: want an integer of at least 4", value)
		}
	}
	u.RawQuery = strings.Join(params, "&")
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %s: %w", redact(dsn), err)
	}
	write, read := pgPool(cfg, size/2), pgPool(cfg, size-size/2)
	if err := checkServer(ctx, read); err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("sqlstore: %s: %w", redact(dsn), err)
	}
	return &DB{flavor: postgresFlavor, read: read, write: write, reg: opts.Registry, log: opts.Logger, now: opts.Now}, nil
}

// analyzeInterval is how often a store looks for tables whose statistics
// are out of date.
const analyzeInterval = 10 * time.Second

// analyze refreshes the planner's statistics of the tables that changed
// much since they were last analyzed. Autovacuum does too, but only after
// its naptime (a minute) and on its own schedule; right after a large
// import, stale statistics make PostgreSQL plan a filter's index lookup as
// a scan of every resource — a thousand times slower — until it does. One
// scimd at a time analyzes (an advisory lock); others skip their turn. A
// table that autovacuum is working on is skipped (SKIP_LOCKED), rather
// than waited for, which would cancel autovacuum.
func (db *DB) analyze(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	// A table is stale after 1000 changes or 10% of its rows, whichever
	// is more (autovacuum: 50 changes or 10%).
	rows, err := db.read.QueryContext(ctx, `SELECT relname FROM pg_stat_user_tables
		WHERE schemaname = current_schema() AND relname IN ('resources', 'attr_index', 'attr_text', 'members')
		AND n_mod_since_analyze >= greatest(1000, n_live_tup / 10)`)
	if err != nil {
		if ctx.Err() == nil {
			db.log.Warn("looking for tables to analyze", "err", err)
		}
		return
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			break // rows.Err says why
		}
		tables = append(tables, t)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		if ctx.Err() == nil {
			db.log.Warn("looking for tables to analyze", "err", err)
		}
		return
	}
	if len(tables) == 0 {
		return
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return
	}
	defer tx.Rollback()
	var locked bool
	if err := tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock($1)`, int64(analyzeLock)).Scan(&locked); err != nil || !locked {
		return
	}
	start := time.Now()
	if _, err := tx.ExecContext(ctx, `ANALYZE (SKIP_LOCKED) `+strings.Join(tables, ", ")); err != nil {
		if ctx.Err() == nil {
			db.log.Warn("ANALYZE failed", "tables", tables, "err", err)
		}
		return
	}
	if err := tx.Commit(); err == nil {
		db.log.Debug("analyzed", "tables", tables, "took", time.Since(start))
	}
}

func pgPool(cfg *pgx.ConnConfig, size int) *sql.DB {
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(size)
	pool.SetMaxIdleConns(size)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	// Connections are renewed now and then, so that replicas spread over
	// a failed-over or restarted server (or pooler) again.
	pool.SetConnMaxLifetime(time.Hour)
	return pool
}

// checkServer checks that the server answers and stores UTF-8.
func checkServer(ctx context.Context, db *sql.DB) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var encoding string
	if err := db.QueryRowContext(ctx, `SHOW server_encoding`).Scan(&encoding); err != nil {
		return err
	}
	if encoding != "UTF8" {
		return fmt.Errorf("the database's encoding is %s; scimd needs UTF8 (CREATE DATABASE ... ENCODING 'UTF8')", encoding)
	}
	return nil
}

// Keys of advisory locks: the one under which scimd migrates a database
// ("scimd" in ASCII), and the one under which it analyzes tables.
const (
	schemaLock  = 0x73_63_69_6d_64
	analyzeLock = schemaLock + 1
)

// advisoryLock takes a session-level advisory lock on a connection of its
// own, which it keeps until released: migrations and index builds run on
// other connections meanwhile, while other processes wait for the lock.
func advisoryLock(ctx context.Context, db *sql.DB) (func(), error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, int64(schemaLock)); err != nil {
		conn.Close()
		return nil, fmt.Errorf("sqlstore: waiting for the migration lock: %w", err)
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, int64(schemaLock))
		conn.Close() // closing the session would release it too
	}, nil
}

// rebindDollar numbers the ? placeholders of a query $1, $2, ..., leaving
// string literals and quoted identifiers alone.
func rebindDollar(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0 // a doubled quote reopens at once
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// postgresDialect reads the search document as jsonb. Its values are jsonb
// until a test turns them into SQL: strings with #>> (compared with
// COLLATE "C", byte order), numbers cast to float8 (as filter.Match
// compares them), only after jsonb_typeof says what they are. PostgreSQL
// does not promise to evaluate AND in order, so those guards are CASEs.
type postgresDialect struct{}

func (postgresDialect) boolean(b bool) string { return strconv.FormatBool(b) }

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func (postgresDialect) value(doc string, keys []string) string {
	if len(keys) == 0 {
		return doc
	}
	var b strings.Builder
	b.WriteString("(" + doc)
	for _, k := range keys {
		b.WriteString(" -> " + quoteLiteral(k))
	}
	b.WriteString(")")
	return b.String()
}

func (d postgresDialect) first(doc string, keys []string) string {
	v := d.value(doc, keys)
	return "(" + v + " -> 0)"
}

// elements iterates an array's elements; like filter.Match, it takes any
// other value (but null) as the only element.
func (d postgresDialect) elements(doc string, keys []string, alias string) string {
	v := d.value(doc, keys)
	return "jsonb_array_elements(CASE WHEN jsonb_typeof(" + v + ") = 'array' THEN " + v +
		" WHEN jsonb_typeof(" + v + ") <> 'null' THEN jsonb_build_array(" + v + ") END) WITH ORDINALITY AS " + alias + "(value, key)"
}

func (postgresDialect) present(v string) string {
	return "coalesce(jsonb_typeof(" + v + ") <> 'null', false)"
}

func (postgresDialect) jsonBool(b bool) string { return "'" + strconv.FormatBool(b) + "'::jsonb" }

func (postgresDialect) number(v func() string, op string, lit float64, arg func(any) string) string {
	return "coalesce(CASE WHEN jsonb_typeof(" + v() + ") = 'number' THEN (" + v() + ")::float8 " + op + " " + arg(lit) + " END, false)"
}

func (postgresDialect) text(v func() string, json bool, op filter.Op, lit string, arg func(any) string) string {
	s := func() string {
		if json {
			return "(CASE WHEN jsonb_typeof(" + v() + ") = 'string' THEN " + v() + " #>> '{}' END)"
		}
		return "(" + v() + ")::text"
	}
	switch op {
	case filter.Co:
		return "coalesce(strpos(" + s() + ", " + arg(lit) + ") > 0, false)"
	case filter.Sw:
		return "coalesce(starts_with(" + s() + ", " + arg(lit) + "), false)"
	case filter.Ew:
		return "coalesce(right(" + s() + ", length(" + arg(lit) + "::text)) = " + arg(lit) + ", false)"
	}
	return "coalesce(" + s() + ` COLLATE "C" ` + sqlOp(op) + " " + arg(lit) + ", false)"
}

func (postgresDialect) sortKey(v string, typ scim.AttrType, json bool) string {
	switch {
	case !json && typ == scim.Integer: // a time in Unix nanoseconds
		return v
	case !json:
		return "((" + v + `)::text COLLATE "C")`
	case typ == scim.Integer || typ == scim.Decimal:
		return "(CASE WHEN jsonb_typeof(" + v + ") = 'number' THEN (" + v + ")::float8 END)"
	case typ == scim.Boolean:
		return "(CASE " + v + " WHEN 'true'::jsonb THEN 1 WHEN 'false'::jsonb THEN 0 END)"
	}
	return "((CASE WHEN jsonb_typeof(" + v + ") = 'string' THEN " + v + ` #>> '{}' END) COLLATE "C")`
}

// textCandidates finds the rows whose text contains lit through the
// trigram index, which needs a literal of three characters or more.
func (postgresDialect) textCandidates(lit string, num int, arg func(any) string) (string, bool) {
	if utf8.RuneCountInString(lit) < 3 {
		return "", false
	}
	return "r.rid IN (SELECT rowid >> 6 FROM attr_text WHERE val LIKE " + arg("%"+escapeLike(lit)+"%") + " AND (rowid & 63) = " + arg(num) + ")", true
}

// escapeLike escapes the wildcards of a LIKE pattern (and the escape
// character, backslash).
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// containing looks the rows up in the GIN index of fdata.
func (postgresDialect) containing(js func() (string, error), arg func(any) string) (string, bool) {
	doc, err := js()
	if err != nil {
		return "", false
	}
	return "r.fdata @> " + arg(doc) + "::jsonb", true
}
