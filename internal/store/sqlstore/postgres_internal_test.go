package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/internal/store/sqlstore/pgtest"
	"github.com/scimd/scimd/scim/schema"
)

// openPostgresUsers opens a store of users on a new PostgreSQL database,
// closed when t ends.
func openPostgresUsers(t *testing.T) *DB {
	t.Helper()
	reg, err := schema.NewRegistry(&schema.ResourceType{Name: schema.UserType, Endpoint: "/Users", Schema: schema.UserSchema()})
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(context.Background(), pgtest.DSN(t), Options{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestPostgresRetriesDeadlocks makes two writes deadlock, which PostgreSQL
// resolves by aborting one; exec retries it, and both succeed.
func TestPostgresRetriesDeadlocks(t *testing.T) {
	ctx := context.Background()
	db := openPostgresUsers(t)
	created := func() (a, b int64) {
		t.Helper()
		err := db.read.QueryRowContext(ctx, `SELECT (SELECT created FROM secrets WHERE name = 'a'), (SELECT created FROM secrets WHERE name = 'b')`).Scan(&a, &b)
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}
	for _, name := range []string{"a", "b"} {
		if _, err := db.Secret(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
	a0, b0 := created()
	var attempts atomic.Int32
	var bothLocked sync.WaitGroup
	bothLocked.Add(2)
	bump := `UPDATE secrets SET created = created + 1 WHERE name = ?`
	write := func(first, second string) writeFunc {
		return func(ctx context.Context, tx *sql.Tx) error {
			if _, err := db.txExec(ctx, tx, bump, first); err != nil {
				return err
			}
			if attempts.Add(1) <= 2 { // the first attempts wait for each other
				bothLocked.Done()
				bothLocked.Wait()
			}
			_, err := db.txExec(ctx, tx, bump, second)
			return err
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Go(func() { errs[0] = db.exec(ctx, write("a", "b")) })
	wg.Go(func() { errs[1] = db.exec(ctx, write("b", "a")) })
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("a write that deadlocked: %v", err)
		}
	}
	if n := attempts.Load(); n != 3 {
		t.Errorf("%d attempts, want 3: one of the two writes retried once", n)
	}
	if a, b := created(); a != a0+2 || b != b0+2 {
		t.Errorf("each row was bumped %d and %d times, want 2: an aborted attempt left its mark", a-a0, b-b0)
	}
}

func TestRebindDollar(t *testing.T) {
	cases := []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`a = ? AND b IN (?, ?)`, `a = $1 AND b IN ($2, $3)`},
		{`x = '?' AND "we?rd" = ? AND y = 'it''s ?' AND z = ?`, `x = '?' AND "we?rd" = $1 AND y = 'it''s ?' AND z = $2`},
	}
	for _, c := range cases {
		if got := rebindDollar(c.in); got != c.want {
			t.Errorf("rebindDollar(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestPrefixUpper checks that the upper bound of a prefix range is valid
// UTF-8 and bounds exactly the strings with the prefix, in byte order.
func TestPrefixUpper(t *testing.T) {
	for _, c := range []struct{ prefix, want string }{
		{"abc", "abd"},
		{"ab\u007f", "ab\u0080"},
		{"a\uD7FF", "a\uE000"},
		{"a\U0010FFFF", "b"},
		{"é", "ê"},
	} {
		got, ok := prefixUpper(c.prefix)
		if !ok || got != c.want || !utf8.ValidString(got) {
			t.Errorf("prefixUpper(%q) = %q, %v; want %q", c.prefix, got, ok, c.want)
		}
		for _, s := range []string{c.prefix, c.prefix + "\U0010FFFF\U0010FFFF", c.prefix + "zzz"} {
			if !(s >= c.prefix && s < got) {
				t.Errorf("%q, which starts with %q, is not in [%q, %q)", s, c.prefix, c.prefix, got)
			}
		}
	}
	for _, p := range []string{"", "\U0010FFFF"} {
		if got, ok := prefixUpper(p); ok {
			t.Errorf("prefixUpper(%q) = %q, want none", p, got)
		}
	}
}

func TestRedact(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"postgres://u:secret@h/db?sslmode=disable", "postgres://u:xxxxx@h/db?sslmode=disable"},
		{"postgres://u@h/db?password=secret&sslmode=disable", "postgres://u@h/db?password=xxxxx&sslmode=disable"},
		{"postgres://u@h/db?sslpassword=secret", "postgres://u@h/db?sslpassword=xxxxx"},
		{"postgres://u:se%zzcret@h/db", "(unparsable database URL)"},
	} {
		if got := redact(c.in); got != c.want {
			t.Errorf("redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestPostgresAnalyzes checks that a store refreshes the statistics of
// tables that grew, as after an import, without waiting for autovacuum.
func TestPostgresAnalyzes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openPostgresUsers(t)
	if _, err := db.write.ExecContext(ctx, `ALTER TABLE resources SET (autovacuum_enabled = false)`); err != nil {
		t.Fatal(err)
	}
	for i := range 1200 {
		u := &store.Resource{Type: schema.UserType, ID: uuid.NewString(), Created: time.Now(), LastModified: time.Now(),
			Doc: map[string]any{"userName": fmt.Sprintf("user-%d", i)}}
		if err := db.Create(ctx, "", u, nil, ""); err != nil {
			t.Fatal(err)
		}
	}
	// The statistics views learn of the inserts within a second or so.
	for deadline := time.Now().Add(20 * time.Second); ; {
		db.analyze(ctx)
		var analyzed bool
		if err := db.read.QueryRowContext(ctx, `SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'resources'`).Scan(&analyzed); err != nil {
			t.Fatal(err)
		}
		if analyzed {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("resources was not analyzed after 1200 inserts")
		}
		time.Sleep(200 * time.Millisecond)
	}
}
