package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/filter"
)

// flavor is what differs between SQL dialects, decided once at Open.
type flavor struct {
	name string
	// migrations is the directory of the embedded migrations.
	migrations string
	// migrationsTable creates the table that records applied migrations.
	migrationsTable string
	// groupCommit serializes writes through one connection and commits
	// concurrent ones together (SQLite has a single writer anyway).
	groupCommit bool
	// prepare prepares each statement once, for every connection and
	// transaction to reuse. Where false, the driver prepares and caches
	// statements per connection itself (pgx).
	prepare bool
	// rebind rewrites a query written with ? placeholders for the driver.
	rebind func(string) string
	// isUnique reports whether err is a unique constraint violation.
	isUnique func(error) bool
	// isRetryable reports whether a transaction failing with err may be
	// retried from the start (serialization failures, deadlocks, busy).
	isRetryable func(error) bool
	// countShards is how many rows each resource count is spread over.
	countShards int
	// lockSchema takes the lock under which Open migrates the database and
	// builds indexes, so that processes starting together don't race; it
	// returns the function that releases it. nil: no lock is needed.
	lockSchema func(ctx context.Context, db *sql.DB) (release func(), err error)

	// Row locks that read-modify-write transactions append to their
	// SELECT; empty where writes are serialized anyway (SQLite).
	lockForDelete string // the row is about to be deleted
	lockForUpdate string // the row is about to be changed (not its key)
	lockForMember string // the row is becoming a member: it must not be deleted meanwhile

	// snapshot are the options of a read transaction that sees one
	// snapshot of the database throughout (nil: the default does).
	snapshot *sql.TxOptions

	// dataJSON is the SQL of a resource's document (the data column) as
	// JSON that the dialect's functions read.
	dataJSON string
	// sql writes what the filter compiler and sorting need.
	sql dialect
}

// dialect writes the SQL of the filter compiler and of sorting. Its
// functions take the value tested as a function that writes it (adding its
// arguments) and arg, which adds an argument and returns its placeholder:
// each must be called exactly where, and as often as, its SQL appears, in
// order, so that the arguments line up with the placeholders.
type dialect interface {
	// boolean is a boolean literal.
	boolean(b bool) string
	// value is the JSON value at keys in the JSON document doc, or NULL.
	value(doc string, keys []string) string
	// first is the first element of the JSON array at keys in doc, or NULL.
	first(doc string, keys []string) string
	// elements is a FROM item over the elements of the JSON array at keys
	// in doc, named alias, with columns value and key (their order).
	elements(doc string, keys []string, alias string) string
	// present reports that the JSON value v (without arguments) holds a
	// value: neither SQL NULL nor JSON null.
	present(v string) string
	// jsonBool is the JSON boolean b as value returns it.
	jsonBool(b bool) string
	// number compares the JSON value v with a number: false unless v is a
	// number.
	number(v func() string, op string, lit float64, arg func(any) string) string
	// text compares the value v, JSON (json) or SQL text, with a string in
	// byte order: false unless v is a string.
	text(v func() string, json bool, op filter.Op, lit string, arg func(any) string) string
	// sortKey is the SQL value resources are ordered by for the value v,
	// JSON (json) or SQL, of an attribute of type typ (scim.String, ...;
	// scim.Integer for times in Unix nanoseconds). v has no arguments
	// unless it is SQL.
	sortKey(v string, typ scim.AttrType, json bool) string
	// textCandidates narrows a substring test on the attribute with the
	// given number in attr_text to the rows whose text may contain lit; ok
	// is false when the index can't narrow it (lit is too short).
	textCandidates(lit string, num int, arg func(any) string) (sql string, ok bool)
	// containing narrows an equality test to the rows whose search
	// document contains the JSON document js makes; ok is false when there
	// is no index to answer that (and js is not called).
	containing(js func() (string, error), arg func(any) string) (sql string, ok bool)
}

var sqliteFlavor = &flavor{
	name:            "sqlite",
	migrations:      "migrations/sqlite",
	migrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied INTEGER NOT NULL)`,
	groupCommit:     true,
	prepare:         true,
	countShards:     1,
	rebind:          func(q string) string { return q },
	isUnique: func(err error) bool {
		var e *sqlite.Error
		return errors.As(err, &e) && (e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
	},
	isRetryable: func(err error) bool {
		var e *sqlite.Error
		return errors.As(err, &e) && (e.Code()&0xff == sqlite3.SQLITE_BUSY || e.Code()&0xff == sqlite3.SQLITE_LOCKED)
	},
	dataJSON: "data",
	sql:      sqliteDialect{},
}

// sqliteDialect reads JSON with json_extract and json_each, which return
// SQL values: text, integer, real (booleans as 1 and 0), NULL for null.
type sqliteDialect struct{}

func (sqliteDialect) boolean(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// jsonPath renders keys as an SQLite JSON path: $."a"."b".
func jsonPath(keys []string) string {
	var b strings.Builder
	b.WriteString("'$")
	for _, k := range keys {
		b.WriteString(`."`)
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(k, `"`, `""`), "'", "''"))
		b.WriteString(`"`)
	}
	b.WriteString("'")
	return b.String()
}

func (sqliteDialect) value(doc string, keys []string) string {
	if len(keys) == 0 {
		return doc
	}
	return "json_extract(" + doc + ", " + jsonPath(keys) + ")"
}

func (sqliteDialect) first(doc string, keys []string) string {
	p := jsonPath(keys)
	return "json_extract(" + doc + ", " + p[:len(p)-1] + "[0]')"
}

func (sqliteDialect) elements(doc string, keys []string, alias string) string {
	return "json_each(" + doc + ", " + jsonPath(keys) + ") " + alias
}

func (sqliteDialect) present(v string) string { return v + " IS NOT NULL" }

func (d sqliteDialect) jsonBool(b bool) string { return d.boolean(b) }

func (sqliteDialect) number(v func() string, op string, lit float64, arg func(any) string) string {
	return "coalesce(typeof(" + v() + ") IN ('integer','real') AND " + v() + " " + op + " " + arg(lit) + ", 0)"
}

func (sqliteDialect) text(v func() string, _ bool, op filter.Op, lit string, arg func(any) string) string {
	text := func() string { return "typeof(" + v() + ") = 'text' AND " }
	switch op {
	case filter.Co:
		return "coalesce(" + text() + "instr(" + v() + ", " + arg(lit) + ") > 0, 0)"
	case filter.Sw:
		return "coalesce(" + text() + "substr(" + v() + ", 1, length(" + arg(lit) + ")) = " + arg(lit) + ", 0)"
	case filter.Ew:
		if lit == "" {
			return "coalesce(" + text() + "1, 0)"
		}
		return "coalesce(" + text() + "substr(" + v() + ", -length(" + arg(lit) + ")) = " + arg(lit) + ", 0)"
	}
	return "coalesce(" + text() + v() + " " + sqlOp(op) + " " + arg(lit) + ", 0)"
}

func (sqliteDialect) sortKey(v string, _ scim.AttrType, _ bool) string { return v }

// textCandidates queries the FTS5 trigram table for rows holding every
// trigram of lit.
func (sqliteDialect) textCandidates(lit string, num int, arg func(any) string) (string, bool) {
	match := trigramQuery(lit)
	if match == "" {
		return "", false
	}
	return "r.rid IN (SELECT rowid >> 6 FROM attr_text WHERE attr_text MATCH " + arg(match) + " AND (rowid & 63) = " + arg(num) + ")", true
}

func (sqliteDialect) containing(func() (string, error), func(any) string) (string, bool) {
	return "", false
}

// placeholders returns "?,?,...,?" with n placeholders.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}
