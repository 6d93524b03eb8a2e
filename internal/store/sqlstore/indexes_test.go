package sqlstore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/internal/store/sqlstore"
	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/filter"
	"github.com/scimd/scimd/scim/schema"
)

// registryWith is the default User type with extra indexes on nickName.
func registryWith(t *testing.T, unique bool, indexes, substring []string) *schema.Registry {
	t.Helper()
	user := schema.UserSchema()
	for _, a := range user.Attributes {
		if a.Name == "nickName" && unique {
			a.Uniqueness = scim.UniqueServer
		}
	}
	reg, err := schema.NewRegistry(&schema.ResourceType{Name: schema.UserType, Endpoint: "/Users", Schema: user, Indexes: indexes, Substring: substring})
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestIndexSync(t *testing.T) {
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "scimd.db")
	open := func(reg *schema.Registry) (*sqlstore.DB, error) {
		return sqlstore.Open(ctx, dsn, sqlstore.Options{Registry: reg})
	}
	db, err := open(registryWith(t, false, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	for i, nick := range []string{"Robin", "robin", "Alex"} {
		r := &store.Resource{Type: schema.UserType, ID: uuid.NewString(), Created: time.Now(), LastModified: time.Now(),
			Doc: map[string]any{"userName": fmt.Sprintf("u%d", i), "nickName": nick}}
		if err := db.Create(ctx, store.DefaultTenant, r, nil, ""); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	// A registry that indexes nickName for lookups and substring search:
	// the stored users are indexed at Open.
	reg := registryWith(t, false, []string{"nickName"}, []string{"nickName"})
	db, err = open(reg)
	if err != nil {
		t.Fatal(err)
	}
	count := func(f string) int {
		t.Helper()
		e, err := filter.Parse(f)
		if err == nil {
			e, err = filter.Bind(e, reg.ResourceType(schema.UserType))
		}
		if err != nil {
			t.Fatal(err)
		}
		page, err := db.List(ctx, store.DefaultTenant, store.Query{Types: []store.Selection{{Type: schema.UserType, Filter: e}}, Count: 10})
		if err != nil {
			t.Fatal(err)
		}
		return page.Total
	}
	for f, want := range map[string]int{`nickName eq "ROBIN"`: 2, `nickName co "obi"`: 2, `nickName ew "lex"`: 1, `nickName sw "al"`: 1} {
		if got := count(f); got != want {
			t.Errorf("%s: %d users, want %d", f, got, want)
		}
	}
	db.Close()

	// nickName can't become unique while two users share it.
	if _, err := open(registryWith(t, true, nil, nil)); err == nil || !strings.Contains(err.Error(), "robin") {
		t.Errorf("Open with a unique nickName that stored users share = %v, want an error naming the value", err)
	}
	// Dropping the indexes again works, and the data is untouched.
	db, err = open(registryWith(t, false, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	page, err := db.List(ctx, store.DefaultTenant, store.Query{Types: []store.Selection{{Type: schema.UserType}}, Count: 10})
	if err != nil || page.Total != 3 {
		t.Errorf("users after the indexes were dropped: %v, %v", page, err)
	}
}
