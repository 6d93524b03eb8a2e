package sqlstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim/filter"
	"github.com/scimd/scimd/scim/schema"
)

// TestRankBuckets pages through users sorted by userName with rank buckets
// of three entries, before and after creates, renames and deletes that
// split and empty buckets, and compares every page at every offset with
// the same pages read without the index (a filter matching every user).
func TestRankBuckets(t *testing.T) {
	ctx := context.Background()
	reg := schema.Default()
	db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "scimd.db"), Options{Registry: reg, Exclusive: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.ranks = newRanks(3)
	rt := reg.ResourceType(schema.UserType)
	sortBy, _ := rt.Resolve("userName")
	all, err := filter.Parse(`userName pr or not (userName pr)`)
	if err == nil {
		all, err = filter.Bind(all, rt)
	}
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var ids []string
	create := func(name string) {
		doc := map[string]any{"userName": name}
		if name == "" {
			doc = map[string]any{"displayName": "nameless"}
		}
		r := &store.Resource{Type: schema.UserType, ID: uuid.NewString(), Created: time.Now(), LastModified: time.Now(), Doc: doc}
		if err := db.Create(ctx, store.DefaultTenant, r, nil, ""); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	page := func(filtered bool, offset, count int) []string {
		sel := store.Selection{Type: schema.UserType, SortBy: &sortBy}
		if filtered {
			sel.Filter = all
		}
		p, err := db.List(ctx, store.DefaultTenant, store.Query{Types: []store.Selection{sel}, Offset: offset, Count: count})
		if err != nil {
			t.Fatal(err)
		}
		out := []string{fmt.Sprint(p.Total)}
		for _, r := range p.Resources {
			out = append(out, r.ID)
		}
		return out
	}
	compare := func(step string) {
		t.Helper()
		for offset := range len(ids) + 1 {
			for _, count := range []int{1, 4} {
				if diff := cmp.Diff(page(true, offset, count), page(false, offset, count)); diff != "" {
					t.Fatalf("%s, offset %d, count %d (-without the index +with):\n%s", step, offset, count, diff)
				}
			}
		}
	}
	for range 40 {
		create(fmt.Sprintf("u%03d", rng.IntN(1000)) + uuid.NewString()[:4])
	}
	create("")
	ix := rankIndex{store.DefaultTenant, schema.UserType, "userName"}
	page(false, 30, 1) // asks for the buckets
	for deadline := time.Now().Add(10 * time.Second); !db.ranks.has(ix); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("rank buckets were not built")
		}
	}
	compare("building")

	for i := range 30 { // many in one bucket's range: splits
		create(fmt.Sprintf("u500-%02d", i))
	}
	compare("creating")

	for _, id := range ids[:20] {
		_, err := db.Update(ctx, store.DefaultTenant, schema.UserType, id, store.Load{}, store.Load{}, func(r *store.Resource) (*store.Change, error) {
			return &store.Change{Doc: map[string]any{"userName": fmt.Sprintf("z%03d", rng.IntN(1000)) + id[:4]}, LastModified: time.Now()}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	compare("renaming")

	for _, id := range ids[20:45] {
		if err := db.Delete(ctx, store.DefaultTenant, schema.UserType, id, nil); err != nil {
			t.Fatal(err)
		}
	}
	ids = append(ids[:20], ids[45:]...)
	compare("deleting")

	// A write that fails counts nothing.
	dup := &store.Resource{Type: schema.UserType, ID: uuid.NewString(), Created: time.Now(), LastModified: time.Now(), Doc: map[string]any{"userName": "u500-10"}}
	if err := db.Create(ctx, store.DefaultTenant, dup, nil, ""); err == nil {
		t.Fatal("a second u500-10 was created")
	}
	compare("a failed create")
	if len(db.ranks.byKey[ix].counts) < 5 {
		t.Errorf("%d buckets: the test split none", len(db.ranks.byKey[ix].counts))
	}
}
