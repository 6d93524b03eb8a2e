package sqlstore

import (
	"cmp"
	"context"
	"slices"
	"sync"
)

// rankBucket is how many entries a rank bucket holds when built or split;
// a bucket is split when it grows to twice that.
const rankBucket = 256

// ranks keeps, for a process that is its database's only writer (SQLite
// opened Exclusive), where the entries of value indexes stand in their
// order, so that a page at offset N of an index-ordered list (indexPage)
// starts with a seek instead of a skip over N entries. Per index and
// tenant it holds bucket separators — every rankBucket-th entry — and how
// many entries each bucket has. It is built from the index when a page is
// first asked for, by the writer goroutine (so that no write happens
// meanwhile), and kept up to date by the writer from the index entries
// each committed write added or removed (rankOp), before the write is
// acknowledged. Readers see counts as of the last acknowledged write: a
// page read while writes commit may start a few entries off, as offset
// paging over changing data does anyway (RFC 7644 §3.4.2.4).
type ranks struct {
	bucket int
	mu     sync.RWMutex
	byKey  map[rankIndex]*rankBuckets
}

// rankIndex names the entries of one attribute index in one tenant.
type rankIndex struct{ tenant, rtype, attr string }

// rankKey is an entry's place in its index's order.
type rankKey struct {
	val  string
	slot int64
}

func (a rankKey) compare(b rankKey) int {
	return cmp.Or(cmp.Compare(a.val, b.val), cmp.Compare(a.slot, b.slot))
}

// rankBuckets are the buckets of one index: bucket i holds the entries
// from starts[i] (starts[0] is below every entry) up to starts[i+1].
type rankBuckets struct {
	starts []rankKey
	counts []int
}

// rankOp is an index entry a write added (delta 1) or removed (-1).
type rankOp struct {
	ix    rankIndex
	key   rankKey
	delta int
}

func newRanks(bucket int) *ranks {
	return &ranks{bucket: bucket, byKey: map[rankIndex]*rankBuckets{}}
}

// locate returns the bucket holding the entry at offset, the bucket's
// first key (ok=false for the first bucket, which starts below every
// entry) and the offset within the bucket. known is false when the index
// has no buckets yet.
func (r *ranks) locate(ix rankIndex, offset int) (from rankKey, hasFrom bool, within int, known bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	b := r.byKey[ix]
	if b == nil {
		return rankKey{}, false, 0, false
	}
	i := 0
	for ; i < len(b.counts)-1 && offset >= b.counts[i]; i++ {
		offset -= b.counts[i]
	}
	return b.starts[i], i > 0, offset, true
}

// has reports whether ix has buckets.
func (r *ranks) has(ix rankIndex) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.byKey[ix] != nil
}

// build makes the buckets of ix from its entries, read through q; the
// caller (the writer) holds off writes meanwhile.
func (r *ranks) build(ctx context.Context, q querier, ix rankIndex) error {
	b, err := r.read(ctx, q, ix, nil, nil)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.byKey[ix] = b
	return nil
}

// read reads the entries of ix from from (nil: the first) up to to (nil:
// the last) into buckets of r.bucket entries.
func (r *ranks) read(ctx context.Context, q querier, ix rankIndex, from, to *rankKey) (*rankBuckets, error) {
	query := `SELECT val, slot FROM attr_index WHERE tenant = ? AND rtype = ? AND attr = ?`
	args := []any{ix.tenant, ix.rtype, ix.attr}
	// Row values, so that the bounds are a range on the index.
	if from != nil {
		query += ` AND (val, slot) >= (?, ?)`
		args = append(args, from.val, from.slot)
	}
	if to != nil {
		query += ` AND (val, slot) < (?, ?)`
		args = append(args, to.val, to.slot)
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY val, slot`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	b := &rankBuckets{starts: []rankKey{{}}, counts: []int{0}}
	if from != nil {
		b.starts[0] = *from
	}
	for rows.Next() {
		var k rankKey
		if err := rows.Scan(&k.val, &k.slot); err != nil {
			return nil, err
		}
		if n := len(b.counts); b.counts[n-1] == r.bucket {
			b.starts, b.counts = append(b.starts, k), append(b.counts, 0)
		}
		b.counts[len(b.counts)-1]++
	}
	return b, rows.Err()
}

// apply counts the index entries committed writes added and removed, and
// splits the buckets that grew to twice their size, reading them through
// q (the writer, after the commit: nothing else writes). Only the writer
// changes buckets, so the reads run without the lock, which readers wait
// for only while counts and buckets are replaced.
func (r *ranks) apply(ctx context.Context, q querier, ops []rankOp) error {
	if r == nil {
		return nil
	}
	type grown struct {
		ix rankIndex
		i  int
	}
	var split []grown
	r.mu.Lock()
	for _, op := range ops {
		b := r.byKey[op.ix]
		if b == nil {
			continue
		}
		// The last bucket whose start is at or below the key (bucket 0
		// starts below every key).
		i, _ := slices.BinarySearchFunc(b.starts[1:], op.key, func(s, k rankKey) int {
			if s.compare(k) <= 0 {
				return -1
			}
			return 1
		})
		b.counts[i] += op.delta
		if b.counts[i] == 2*r.bucket && op.delta > 0 {
			split = append(split, grown{op.ix, i})
		}
	}
	r.mu.Unlock()
	// Last buckets first: splitting one renumbers those after it.
	slices.SortFunc(split, func(a, b grown) int { return cmp.Compare(b.i, a.i) })
	for _, g := range split {
		r.mu.RLock()
		b := r.byKey[g.ix]
		r.mu.RUnlock()
		var from, to *rankKey
		if g.i > 0 {
			from = &b.starts[g.i]
		}
		if g.i+1 < len(b.starts) {
			to = &b.starts[g.i+1]
		}
		parts, err := r.read(ctx, q, g.ix, from, to)
		r.mu.Lock()
		if err != nil {
			clear(r.byKey) // counts not known to be exact: rebuilt when next needed
			r.mu.Unlock()
			return err
		}
		b.starts = slices.Replace(b.starts, g.i, g.i+1, parts.starts...)
		b.counts = slices.Replace(b.counts, g.i, g.i+1, parts.counts...)
		r.mu.Unlock()
	}
	return nil
}

// forget drops the buckets of every tenant's index of rtype's attr.
func (r *ranks) forget(rtype, attr string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for ix := range r.byKey {
		if ix.rtype == rtype && ix.attr == attr {
			delete(r.byKey, ix)
		}
	}
}
