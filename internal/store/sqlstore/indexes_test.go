package sqlstore_test

import (
	"context"
	"errors"
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
	return registryWithNick(t, func(a *scim.Attribute) {
		if unique {
			a.Uniqueness = scim.UniqueServer
		}
	}, indexes, substring)
}

// registryWithNick is registryWith, with nickName's definition changed by
// nick.
func registryWithNick(t *testing.T, nick func(*scim.Attribute), indexes, substring []string) *schema.Registry {
	t.Helper()
	user := schema.UserSchema()
	for _, a := range user.Attributes {
		if a.Name == "nickName" {
			nick(a)
		}
	}
	reg, err := schema.NewRegistry(&schema.ResourceType{Name: schema.UserType, Endpoint: "/Users", Schema: user, Indexes: indexes, Substring: substring})
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// countUsers returns how many users of the default tenant match filter f.
func countUsers(t *testing.T, db *sqlstore.DB, reg *schema.Registry, f string) int {
	t.Helper()
	e, err := filter.Parse(f)
	if err == nil {
		e, err = filter.Bind(e, reg.ResourceType(schema.UserType))
	}
	if err != nil {
		t.Fatal(err)
	}
	page, err := db.List(context.Background(), store.DefaultTenant, store.Query{Types: []store.Selection{{Type: schema.UserType, Filter: e}}, Count: 10})
	if err != nil {
		t.Fatal(err)
	}
	return page.Total
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
	for f, want := range map[string]int{`nickName eq "ROBIN"`: 2, `nickName co "obi"`: 2, `nickName ew "lex"`: 1, `nickName sw "al"`: 1} {
		if got := countUsers(t, db, reg, f); got != want {
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

// TestIndexKindChange makes an indexed attribute unique and back: the
// value and the unique index of one attribute share attr_index's key, so
// each change must leave the index whole — filters find every resource,
// and uniqueness is enforced while it is declared.
func TestIndexKindChange(t *testing.T) {
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "scimd.db")
	open := func(reg *schema.Registry) *sqlstore.DB {
		t.Helper()
		db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Registry: reg})
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	create := func(db *sqlstore.DB, name, nick string) error {
		r := &store.Resource{Type: schema.UserType, ID: uuid.NewString(), Created: time.Now(), LastModified: time.Now(),
			Doc: map[string]any{"userName": name, "nickName": nick}}
		return db.Create(ctx, store.DefaultTenant, r, nil, "")
	}

	plain := registryWith(t, false, []string{"nickName"}, nil)
	db := open(plain)
	for i, nick := range []string{"Robin", "Alex"} {
		if err := create(db, fmt.Sprintf("u%d", i), nick); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	unique := registryWith(t, true, nil, nil)
	db = open(unique)
	if got := countUsers(t, db, unique, `nickName eq "robin"`); got != 1 {
		t.Errorf("value index made unique: nickName eq \"robin\" finds %d users, want 1", got)
	}
	if err := create(db, "u9", "ROBIN"); !errors.As(err, new(*store.UniqueError)) {
		t.Errorf("value index made unique: a second ROBIN: %v, want a *store.UniqueError", err)
	}
	db.Close()

	db = open(plain)
	if got := countUsers(t, db, plain, `nickName eq "alex"`); got != 1 {
		t.Errorf("unique index made a value index: nickName eq \"alex\" finds %d users, want 1", got)
	}
	db.Close()

	// The index holds values as SearchDoc folds them: when nickName
	// becomes caseExact, stored values must be indexed anew.
	exact := registryWithNick(t, func(a *scim.Attribute) { a.CaseExact = true }, []string{"nickName"}, nil)
	db = open(exact)
	defer db.Close()
	if got := countUsers(t, db, exact, `nickName eq "Alex"`); got != 1 {
		t.Errorf("nickName made caseExact: nickName eq \"Alex\" finds %d users, want 1", got)
	}
	if got := countUsers(t, db, exact, `nickName eq "alex"`); got != 0 {
		t.Errorf("nickName made caseExact: nickName eq \"alex\" finds %d users, want 0", got)
	}
}
