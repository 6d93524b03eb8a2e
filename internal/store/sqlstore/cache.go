package sqlstore

import (
	"hash/maphash"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/scimd/scimd/internal/store"
)

// cachedResources is how many resources a store opened Exclusive keeps.
const cachedResources = 4096

// cachedRelations is the most members, or groups, a cached resource has:
// larger ones are read each time, so that the cache stays small.
const cachedRelations = 50

// cacheShards is how many generations the cache's keys hash to: a write
// makes the cached resources of its shard reread, 1/cacheShards of all.
const cacheShards = 1 << 12

// resourceCache keeps resources that Get read, for a process that is the
// only one writing resources to its database (SQLite, opened Exclusive).
//
// Entries are stamped with generations read before the database was: the
// generation of the key's shard, which a write to the resource advances,
// and the relations generation, which any write that can change a
// resource's groups, a group's members or their display names advances
// (that may be any resource's, through nested groups). Writers advance
// them after committing. An entry is used only while both are what its
// stamp says, so no entry can hold what a committed write replaced: a read
// that began before the write either stamped the older generations or, if
// it stamped the newer, read after the commit.
type resourceCache struct {
	entries *lru.Cache[cacheKey, *cacheEntry]
	seed    maphash.Seed
	own     [cacheShards]atomic.Uint64
	rel     atomic.Uint64

	hits, misses atomic.Uint64 // Gets answered from the cache, and not
}

type cacheKey struct{ tenant, typ, id string }

type cacheEntry struct {
	res   *store.Resource // shared with every caller: never modified
	load  store.Load      // the relations res holds
	stamp stamp
}

// stamp is the generations an entry was read under.
type stamp struct{ own, rel uint64 }

func newResourceCache(size int) *resourceCache {
	entries, err := lru.New[cacheKey, *cacheEntry](size)
	if err != nil {
		panic(err) // only for size <= 0
	}
	return &resourceCache{entries: entries, seed: maphash.MakeSeed()}
}

func (c *resourceCache) shard(k cacheKey) *atomic.Uint64 {
	return &c.own[maphash.Comparable(c.seed, k)%cacheShards]
}

// stamp returns the generations a read of k starts under.
func (c *resourceCache) stamp(k cacheKey) stamp {
	return stamp{own: c.shard(k).Load(), rel: c.rel.Load()}
}

// get returns the cached resource k with the relations load asks for.
func (c *resourceCache) get(k cacheKey, load store.Load) (*store.Resource, bool) {
	e, ok := c.entries.Get(k)
	if !ok || e.stamp != c.stamp(k) || (load.Groups && !e.load.Groups) || (load.Members && !e.load.Members) {
		c.misses.Add(1)
		return nil, false
	}
	c.hits.Add(1)
	if load == e.load {
		return e.res, true
	}
	r := *e.res // fewer relations than cached: a view without the others
	r.Memo = nil
	if !load.Groups {
		r.Groups = nil
	}
	if !load.Members {
		r.Members = nil
	}
	return &r, true
}

// put caches r, read with load's relations under st, unless it has many.
func (c *resourceCache) put(k cacheKey, r *store.Resource, load store.Load, st stamp) {
	if len(r.Members) > cachedRelations || len(r.Groups) > cachedRelations {
		return
	}
	if st == c.stamp(k) { // else it is outdated already
		r.Memo = new(atomic.Value)
		c.entries.Add(k, &cacheEntry{res: r, load: load, stamp: st})
	}
}

// wrote marks the resource k as written; related says the write may have
// changed relations (memberships, or a display name shown in them).
// A nil cache ignores it.
func (c *resourceCache) wrote(k cacheKey, related bool) {
	if c == nil {
		return
	}
	c.shard(k).Add(1)
	if related {
		c.rel.Add(1)
	}
}

// wroteAll marks every resource as written. A nil cache ignores it.
func (c *resourceCache) wroteAll() {
	if c == nil {
		return
	}
	c.rel.Add(1)
}

// CacheStats reports how many Gets the store answered from the resources
// it keeps (SQLite opened Exclusive) and how many it read from the
// database; ok is false when it keeps none.
func (db *DB) CacheStats() (hits, misses uint64, ok bool) {
	if db.cache == nil {
		return 0, 0, false
	}
	return db.cache.hits.Load(), db.cache.misses.Load(), true
}
