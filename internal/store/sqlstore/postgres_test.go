package sqlstore_test

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/internal/store/sqlstore"
	"github.com/scimd/scimd/internal/store/sqlstore/pgtest"
	"github.com/scimd/scimd/internal/store/storetest"
	"github.com/scimd/scimd/scim/schema"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// newPostgres opens a store on a new database of the test PostgreSQL.
func newPostgres(t *testing.T, reg *schema.Registry) store.Store {
	db, err := sqlstore.Open(context.Background(), pgtest.DSN(t), sqlstore.Options{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestPostgres(t *testing.T) { storetest.Run(t, newPostgres) }

// TestPostgresConcurrentOpen opens one new database from several stores at
// once, as replicas starting together do: the migrations and index builds
// run once, under the advisory lock, and every Open succeeds.
func TestPostgresConcurrentOpen(t *testing.T) {
	dsn := pgtest.DSN(t)
	reg := testRegistry(t)
	const n = 5
	dbs := make([]*sqlstore.DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { dbs[i], errs[i] = sqlstore.Open(context.Background(), dsn, sqlstore.Options{Registry: reg}) })
	}
	wg.Wait()
	applied := 0
	for i, db := range dbs {
		if errs[i] != nil {
			t.Fatalf("Open %d: %v", i, errs[i])
		}
		applied += len(db.Applied())
		db.Close()
	}
	if applied != 1 {
		t.Errorf("%d opens applied %d migrations, want the one migration applied once", n, applied)
	}
}
