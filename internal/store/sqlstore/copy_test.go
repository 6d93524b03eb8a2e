package sqlstore_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/internal/store/sqlstore"
	"github.com/scimd/scimd/internal/store/sqlstore/pgtest"
	"github.com/scimd/scimd/scim/schema"
)

var copyTime = time.Date(2025, 3, 4, 5, 6, 7, 8000, time.UTC)

func testRegistry(t *testing.T) *schema.Registry {
	t.Helper()
	reg, err := schema.NewRegistry(
		&schema.ResourceType{Name: schema.UserType, Endpoint: "/Users", Schema: schema.UserSchema(), Indexes: []string{"emails.value"}, Substring: []string{"userName"}},
		&schema.ResourceType{Name: schema.GroupType, Endpoint: "/Groups", Schema: schema.GroupSchema(),
			Extensions: []schema.Extension{{Schema: schema.AuthorizationExtension([]string{"a", "b"})}}, Indexes: []string{"displayName", schema.AuthorizationScopes}})
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func openDB(t *testing.T, dsn string, reg *schema.Registry) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// fill gives a store users with passwords, nested groups, two tenants,
// credentials and keys; it returns the ids it made.
func fill(t *testing.T, s *sqlstore.DB) []string {
	t.Helper()
	ctx := context.Background()
	if err := s.CreateTenant(ctx, "example.com"); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tenant := range []string{store.DefaultTenant, "example.com"} {
		var users []string
		for i := range 30 {
			u := &store.Resource{Type: schema.UserType, ID: uuid.NewString(), Created: copyTime, LastModified: copyTime.Add(time.Duration(i) * time.Second),
				Doc: map[string]any{"userName": fmt.Sprintf("user%d", i), "emails": []any{map[string]any{"value": fmt.Sprintf("u%d@example.com", i)}}}}
			if err := s.Create(ctx, tenant, u, nil, fmt.Sprintf("hash%d", i)); err != nil {
				t.Fatal(err)
			}
			users = append(users, u.ID)
		}
		inner := &store.Resource{Type: schema.GroupType, ID: uuid.NewString(), Created: copyTime, LastModified: copyTime,
			Doc: map[string]any{"displayName": "inner", schema.AuthorizationSchema: map[string]any{"scopes": []any{"a"}}}}
		if err := s.Create(ctx, tenant, inner, users[:10], ""); err != nil {
			t.Fatal(err)
		}
		outer := &store.Resource{Type: schema.GroupType, ID: uuid.NewString(), Created: copyTime, LastModified: copyTime, Doc: map[string]any{"displayName": "outer"}}
		if err := s.Create(ctx, tenant, outer, append([]string{inner.ID}, users[20:]...), ""); err != nil {
			t.Fatal(err)
		}
		ids = append(append(ids, users...), inner.ID, outer.ID)
	}
	h := sha256.Sum256([]byte("token"))
	for _, err := range []error{
		s.CreateClient(ctx, "example.com", &store.Client{ID: "app", Name: "App", SecretHash: "h", Scopes: []string{"a"}, Profile: "entra", Created: copyTime}),
		s.CreateToken(ctx, store.DefaultTenant, &store.Token{ID: "t1", Hash: h[:], Name: "okta", Scopes: []string{"x"}, Profile: "okta", Created: copyTime}),
		s.AddSigningKey(ctx, "example.com", &store.SigningKey{ID: "k1", Alg: "ES256", Private: []byte{1, 2, 3}, Created: copyTime}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Secret(ctx, "cursor"); err != nil {
		t.Fatal(err)
	}
	return ids
}

// dump renders what a store holds, through its interface, for comparing.
func dump(t *testing.T, s *sqlstore.DB) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, tenant := range []string{store.DefaultTenant, "example.com"} {
		page, err := s.List(ctx, tenant, store.Query{Types: []store.Selection{{Type: schema.UserType}, {Type: schema.GroupType}}, Count: 1000,
			Load: store.Load{Members: true, Groups: true}})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Resources {
			fmt.Fprintf(&b, "%s %s %s v%d %v %v %v members=%v groups=%v\n", tenant, r.Type, r.ID, r.Version, r.Created, r.LastModified, r.Doc, r.Members, r.Groups)
			if r.Type == schema.UserType {
				c, err := s.Credential(ctx, tenant, r.Doc["userName"].(string))
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&b, "  password %s\n", c.PasswordHash)
			}
		}
		page, err = s.List(ctx, tenant, store.Query{Types: []store.Selection{{Type: schema.UserType}}, Count: 0})
		fmt.Fprintf(&b, "%s total users %d %v\n", tenant, page.Total, err)
		tokens, _ := s.Tokens(ctx, tenant)
		keys, _ := s.SigningKeys(ctx, tenant)
		c, _ := s.Client(ctx, tenant, "app")
		for _, tok := range tokens {
			fmt.Fprintf(&b, "token %+v\n", *tok)
		}
		for _, k := range keys {
			fmt.Fprintf(&b, "key %+v\n", *k)
		}
		fmt.Fprintf(&b, "client %+v\n", c)
	}
	return b.String()
}

func copyAndCompare(t *testing.T, dst, src *sqlstore.DB) {
	t.Helper()
	var phases []string
	err := sqlstore.Copy(context.Background(), dst, src, sqlstore.CopyOptions{Progress: func(p sqlstore.CopyProgress) {
		if p.Done == p.Total {
			phases = append(phases, fmt.Sprintf("%s %d", p.Phase, p.Total))
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("copied: %v", phases)
	if diff := cmp.Diff(dump(t, src), dump(t, dst)); diff != "" {
		t.Errorf("after the copy (-source +target):\n%s", diff)
	}
	sc, err := src.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dc, err := dst.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sc, dc); diff != "" {
		t.Errorf("counts (-source +target):\n%s", diff)
	}
}

// TestCopy copies SQLite to PostgreSQL, changes the source, copies again,
// and copies the result back to a new SQLite file.
func TestCopy(t *testing.T) {
	ctx := context.Background()
	reg := testRegistry(t)
	src := openDB(t, "sqlite:"+filepath.Join(t.TempDir(), "src.db"), reg)
	dst := openDB(t, pgtest.DSN(t), reg)
	ids := fill(t, src)
	copyAndCompare(t, dst, src)

	// Changes since the first copy: a user changed, one deleted, a group
	// that lost its members, a new group, a revoked token.
	if _, err := src.Update(ctx, store.DefaultTenant, schema.UserType, ids[1], store.Load{}, store.Load{}, func(r *store.Resource) (*store.Change, error) {
		pw := "new-hash"
		return &store.Change{Doc: map[string]any{"userName": "renamed"}, PasswordHash: &pw, LastModified: copyTime.Add(time.Hour)}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := src.Delete(ctx, store.DefaultTenant, schema.UserType, ids[2], nil); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Update(ctx, "example.com", schema.GroupType, ids[len(ids)-2], store.Load{}, store.Load{}, func(r *store.Resource) (*store.Change, error) {
		return &store.Change{Members: &store.MemberChange{RemoveAll: true}, LastModified: copyTime.Add(time.Hour)}, nil
	}); err != nil {
		t.Fatal(err)
	}
	g := &store.Resource{Type: schema.GroupType, ID: uuid.NewString(), Created: copyTime, LastModified: copyTime, Doc: map[string]any{"displayName": "new"}}
	if err := src.Create(ctx, store.DefaultTenant, g, ids[3:6], ""); err != nil {
		t.Fatal(err)
	}
	if err := src.RevokeToken(ctx, store.DefaultTenant, "t1"); err != nil {
		t.Fatal(err)
	}
	copyAndCompare(t, dst, src)
	copyAndCompare(t, dst, src) // nothing left to do

	back := openDB(t, "sqlite:"+filepath.Join(t.TempDir(), "back.db"), reg)
	copyAndCompare(t, back, dst)
}

// TestCopyRefusesAForeignTarget: a target holding resources of its own is
// not overwritten.
func TestCopyRefusesAForeignTarget(t *testing.T) {
	reg := testRegistry(t)
	src := openDB(t, "sqlite:"+filepath.Join(t.TempDir(), "src.db"), reg)
	dst := openDB(t, "sqlite:"+filepath.Join(t.TempDir(), "dst.db"), reg)
	fill(t, src)
	admin := &store.Resource{Type: schema.UserType, ID: uuid.NewString(), Created: copyTime, LastModified: copyTime, Doc: map[string]any{"userName": "admin"}}
	if err := dst.Create(context.Background(), store.DefaultTenant, admin, nil, "h"); err != nil {
		t.Fatal(err)
	}
	err := sqlstore.Copy(context.Background(), dst, src, sqlstore.CopyOptions{})
	if err == nil || !strings.Contains(err.Error(), "empty database") {
		t.Fatalf("Copy into a database with resources of its own = %v, want a refusal", err)
	}
}

// TestCopyResumes: a copy that stops part way can be run again.
func TestCopyResumes(t *testing.T) {
	reg := testRegistry(t)
	src := openDB(t, "sqlite:"+filepath.Join(t.TempDir(), "src.db"), reg)
	dst := openDB(t, "sqlite:"+filepath.Join(t.TempDir(), "dst.db"), reg)
	fill(t, src)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := sqlstore.Copy(ctx, dst, src, sqlstore.CopyOptions{Progress: func(p sqlstore.CopyProgress) {
		if p.Phase == "resources" && p.Done > 0 {
			cancel()
		}
	}})
	if err == nil {
		t.Fatal("Copy with a context cancelled part way succeeded")
	}
	copyAndCompare(t, dst, src)
}

// TestCopyReusedUniqueValue: a resource deleted from the source frees its
// userName for a new one, which the next copy brings over.
func TestCopyReusedUniqueValue(t *testing.T) {
	ctx := context.Background()
	reg := testRegistry(t)
	src := openDB(t, "sqlite:"+filepath.Join(t.TempDir(), "src.db"), reg)
	dst := openDB(t, "sqlite:"+filepath.Join(t.TempDir(), "dst.db"), reg)
	create := func() string {
		u := &store.Resource{Type: schema.UserType, ID: uuid.NewString(), Created: copyTime, LastModified: copyTime, Doc: map[string]any{"userName": "kim"}}
		if err := src.Create(ctx, store.DefaultTenant, u, nil, ""); err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	old := create()
	if _, err := src.Secret(ctx, "cursor"); err != nil { // which dump reads
		t.Fatal(err)
	}
	copyAndCompare(t, dst, src)
	if err := src.Delete(ctx, store.DefaultTenant, schema.UserType, old, nil); err != nil {
		t.Fatal(err)
	}
	create()
	copyAndCompare(t, dst, src)
}

// TestCopyAfterTheSwitch: once a scimd serves the target, copying again
// would overwrite or delete what it wrote; that takes Force.
func TestCopyAfterTheSwitch(t *testing.T) {
	ctx := context.Background()
	reg := testRegistry(t)
	src := openDB(t, "sqlite:"+filepath.Join(t.TempDir(), "src.db"), reg)
	dst := openDB(t, "sqlite:"+filepath.Join(t.TempDir(), "dst.db"), reg)
	fill(t, src)
	copyAndCompare(t, dst, src)
	served := &store.Resource{Type: schema.UserType, ID: uuid.NewString(), Created: copyTime.Add(time.Hour), LastModified: copyTime.Add(time.Hour),
		Doc: map[string]any{"userName": "after-the-switch"}}
	if err := dst.Create(ctx, store.DefaultTenant, served, nil, ""); err != nil {
		t.Fatal(err)
	}
	err := sqlstore.Copy(ctx, dst, src, sqlstore.CopyOptions{})
	if err == nil || !strings.Contains(err.Error(), "1 resources of the target database were written since the last copy") {
		t.Fatalf("Copy into a target written since = %v, want a refusal", err)
	}
	if _, err := dst.Get(ctx, store.DefaultTenant, schema.UserType, served.ID, store.Load{}); err != nil {
		t.Fatalf("the refused copy lost the target's own user: %v", err)
	}
	if err := sqlstore.Copy(ctx, dst, src, sqlstore.CopyOptions{Force: true}); err != nil {
		t.Fatalf("Copy with Force: %v", err)
	}
	if diff := cmp.Diff(dump(t, src), dump(t, dst)); diff != "" {
		t.Errorf("after a forced copy (-source +target):\n%s", diff)
	}
}

// TestCopyLeavesCursorsBehind: cursors hold row ids, which a copy
// renumbers, so the target must not accept the source's.
func TestCopyLeavesCursorsBehind(t *testing.T) {
	ctx := context.Background()
	reg := testRegistry(t)
	src := openDB(t, "sqlite:"+filepath.Join(t.TempDir(), "src.db"), reg)
	dst := openDB(t, "sqlite:"+filepath.Join(t.TempDir(), "dst.db"), reg)
	fill(t, src)
	key, err := src.Secret(ctx, "cursor")
	if err != nil {
		t.Fatal(err)
	}
	copyAndCompare(t, dst, src)
	if got, err := dst.Secret(ctx, "cursor"); err != nil || string(got) == string(key) {
		t.Errorf("the target's cursor key = %x, %v: want a key of its own", got, err)
	}
}
