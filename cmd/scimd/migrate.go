package main

import (
	"context"
	"fmt"
	"io"

	"github.com/scimd/scimd/internal/store/sqlstore"
)

// dbUsage documents --db, which every command that opens the database
// takes.
const dbUsage = "database: sqlite:PATH, or postgres://USER:PASSWORD@HOST:PORT/DBNAME?sslmode=verify-full (docs/DEPLOY.md)"

// migrate runs "scimd migrate": it brings the database's schema up to
// date — the migrations this scimd has, and the attribute indexes of its
// schemas — without serving. serve does the same when it starts, under
// the same lock (on PostgreSQL), so running it first is optional: it keeps
// the work out of the start of the replicas of an upgrade.
func migrate(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := newFlagSet("migrate", "scimd migrate [--db DSN] [--schemas PATH]", stderr)
	db := fs.String("db", "sqlite:./scimd.db", dbUsage)
	schemas := fs.String("schemas", "", schemasUsage)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return errUsage{fmt.Sprintf("migrate takes no arguments, got %q", pos)}
	}
	if err := applyEnv(fs, getenv); err != nil {
		return errUsage{err.Error()}
	}
	st, err := openConfigured(ctx, *db, *schemas, sqlstore.Options{Exclusive: true})
	if err != nil {
		return err
	}
	defer st.Close()
	applied := st.Applied()
	for _, name := range applied {
		fmt.Fprintf(stdout, "applied %s\n", name)
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "The database is up to date.")
	}
	return nil
}
