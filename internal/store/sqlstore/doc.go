// Package sqlstore implements store.Store on SQL databases: SQLite (the
// embedded default, through the pure-Go modernc.org/sqlite driver) and
// PostgreSQL. It holds all of scimd's SQL. Dialect differences are data in
// a flavor chosen once at Open, never branches scattered through queries.
//
// Writes on SQLite go through one writer goroutine that commits concurrent
// writes together (group commit), each in its own savepoint, so that durable
// commits (synchronous=FULL) stay fast under concurrency.
//
// On PostgreSQL any number of processes share the database. Writes are
// transactions at READ COMMITTED, retried on serialization failures and
// deadlocks; read-modify-writes lock the rows they read (SELECT ... FOR
// UPDATE), unique keys decide races on unique values, and migrations run
// under an advisory lock. Both flavors compare the case-folded search forms
// that the store computes in Go, byte by byte, so that they return the same
// results whatever the database's collation; both pass storetest.
package sqlstore
