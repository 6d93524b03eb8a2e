package sqlstore_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/internal/store/sqlstore"
	"github.com/scimd/scimd/internal/store/storetest"
	"github.com/scimd/scimd/scim/schema"
)

func newSQLite(t *testing.T, reg *schema.Registry) store.Store {
	db, err := sqlstore.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "scimd.db"), sqlstore.Options{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestSQLite(t *testing.T) { storetest.Run(t, newSQLite) }

// TestSQLiteExclusive runs the suite on SQLite opened as scimd serve opens
// it: Exclusive, with its resource cache.
func TestSQLiteExclusive(t *testing.T) {
	storetest.Run(t, func(t *testing.T, reg *schema.Registry) store.Store {
		db, err := sqlstore.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "scimd.db"), sqlstore.Options{Registry: reg, Exclusive: true})
		if err != nil {
			t.Fatal(err)
		}
		return db
	})
}

// TestExclusiveLock: a second Exclusive open of a database is refused
// while the first is open, other opens (the admin commands) are not, and
// closing releases it.
func TestExclusiveLock(t *testing.T) {
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "scimd.db")
	reg := schema.Default()
	first, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Registry: reg, Exclusive: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Registry: reg, Exclusive: true}); err == nil || !strings.Contains(err.Error(), "in use by another scimd") {
		t.Fatalf("second Exclusive open: %v, want in use", err)
	}
	admin, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Registry: reg, Indexes: sqlstore.KeepIndexes})
	if err != nil {
		t.Fatalf("open beside the Exclusive one: %v", err)
	}
	admin.Close()
	first.Close()
	again, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Registry: reg, Exclusive: true})
	if err != nil {
		t.Fatalf("Exclusive open after the first closed: %v", err)
	}
	again.Close()
}
