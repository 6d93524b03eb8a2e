package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	_ "modernc.org/sqlite"
)

// TestStmtCacheCycles runs more query texts than the cache holds, from
// several goroutines at once, with rows still open while their statement
// is dropped: every query answers right and the cache stays at its size.
func TestStmtCacheCycles(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(4)
	ctx := context.Background()
	const size = 4
	c := newStmtCache(db, size)

	// Rows opened first stay readable while other texts push their
	// statement out of the cache.
	held, err := c.query(ctx, "SELECT ? + 1000", 1)
	if err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				shape := (g + i) % (3 * size)
				var got int
				rows, err := c.query(ctx, fmt.Sprintf("SELECT ? + %d", shape), i)
				if err == nil {
					if rows.Next() {
						err = rows.Scan(&got)
					}
					err = errors.Join(err, rows.Close())
				}
				if err == nil && got != i+shape {
					err = fmt.Errorf("SELECT %d + %d = %d", i, shape, got)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	var got int
	if !held.Next() {
		t.Fatal("held rows lost their row")
	}
	if err := held.Scan(&got); err != nil || got != 1001 {
		t.Fatalf("held rows: %d, %v", got, err)
	}
	held.Close()

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lru.Len() != size || len(c.byText) != size {
		t.Errorf("cache holds %d statements (%d by text), want %d", c.lru.Len(), len(c.byText), size)
	}
	for e := c.lru.Front(); e != nil; e = e.Next() {
		if s := e.Value.(*cachedStmt); s.users != 0 || s.dropped {
			t.Errorf("%q: %d users, dropped %v after every query ended", s.text, s.users, s.dropped)
		}
	}
}
