package sqlstore_test

import (
	"context"
	"path/filepath"
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
