package sqlstore

import (
	"errors"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// flavor is what differs between SQL dialects, decided once at Open.
type flavor struct {
	name string
	// migrations is the directory of the embedded migrations.
	migrations string
	// groupCommit serializes writes through one connection and commits
	// concurrent ones together (SQLite has a single writer anyway).
	groupCommit bool
	// rebind rewrites a query written with ? placeholders for the driver.
	rebind func(string) string
	// isUnique reports whether err is a unique constraint violation.
	isUnique func(error) bool
	// isRetryable reports whether a transaction failing with err may be
	// retried from the start (serialization failures, deadlocks, busy).
	isRetryable func(error) bool
	// countShards is how many rows each resource count is spread over.
	countShards int
}

var sqliteFlavor = &flavor{
	name:        "sqlite",
	migrations:  "migrations/sqlite",
	groupCommit: true,
	countShards: 1,
	rebind:      func(q string) string { return q },
	isUnique: func(err error) bool {
		var e *sqlite.Error
		return errors.As(err, &e) && (e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
	},
	isRetryable: func(err error) bool {
		var e *sqlite.Error
		return errors.As(err, &e) && (e.Code()&0xff == sqlite3.SQLITE_BUSY || e.Code()&0xff == sqlite3.SQLITE_LOCKED)
	},
}

// placeholders returns "?,?,...,?" with n placeholders.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}
