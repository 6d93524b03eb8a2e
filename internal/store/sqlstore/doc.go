// Package sqlstore implements store.Store on SQL databases: SQLite (the
// embedded default, through the pure-Go modernc.org/sqlite driver) and
// PostgreSQL. It holds all of scimd's SQL. Dialect differences are data in
// a flavor chosen once at Open, never branches scattered through queries.
//
// Writes on SQLite go through one writer goroutine that commits concurrent
// writes together (group commit), each in its own savepoint, so that durable
// commits (synchronous=FULL) stay fast under concurrency.
package sqlstore
