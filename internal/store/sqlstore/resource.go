package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim/schema"
)

// row is a resource as encoded for its table.
type row struct {
	display  string
	fdisplay string
	data     []byte
	fdata    []byte
	index    []indexEntry
	text     []textEntry
}

type indexEntry struct {
	attr   string
	val    string
	unique bool
}

// encode prepares a document for storage: its JSON, its search form and the
// values of its indexed attributes. Documents about to be written go
// through encodeNew, which checks them too.
func (db *DB) encode(typ string, doc map[string]any) (*row, error) {
	rt := db.reg.ResourceType(typ)
	if rt == nil {
		return nil, fmt.Errorf("sqlstore: unknown resource type %q", typ)
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: encode %s: %w", typ, err)
	}
	sdoc := rt.SearchDoc(doc)
	fdata, err := json.Marshal(sdoc)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: encode %s: %w", typ, err)
	}
	r := &row{display: displayOf(doc), data: data, fdata: fdata}
	r.fdisplay = schema.Fold(r.display)
	for _, ix := range rt.Indexed() {
		for _, v := range ix.IndexValues(sdoc) {
			r.index = append(r.index, indexEntry{attr: ix.Path.String(), val: v, unique: ix.Unique})
		}
	}
	r.text = db.textEntries(typ, sdoc)
	return r, nil
}

// encodeNew encodes a document about to be written, refusing what the
// store can't keep (see checkRow).
func (db *DB) encodeNew(typ string, doc map[string]any) (*row, error) {
	r, err := db.encode(typ, doc)
	if err != nil {
		return nil, err
	}
	return r, checkRow(r)
}

// displayOf is what a resource shows as a member's or a group's "display":
// its displayName, or else its userName.
func displayOf(doc map[string]any) string {
	if s, ok := doc["displayName"].(string); ok && s != "" {
		return s
	}
	s, _ := doc["userName"].(string)
	return s
}

func decodeDoc(data []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var doc map[string]any
	if err := d.Decode(&doc); err != nil {
		return nil, fmt.Errorf("sqlstore: stored document is corrupt: %w", err)
	}
	return doc, nil
}

// Create stores a new resource with its members and password hash.
func (db *DB) Create(ctx context.Context, tenant string, r *store.Resource, members []string, passwordHash string) error {
	enc, err := db.encodeNew(r.Type, r.Doc)
	if err != nil {
		return err
	}
	defer db.cache.wrote(cacheKey{tenant, r.Type, r.ID}, len(members) > 0)
	return db.exec(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return db.insert(ctx, tx, tenant, r, enc, members, passwordHash)
	})
}

// insert writes a new resource, its index entries and its members.
func (db *DB) insert(ctx context.Context, tx *sql.Tx, tenant string, r *store.Resource, enc *row, members []string, passwordHash string) error {
	rid, err := db.insertRow(ctx, tx, tenant, r.Type, r.ID, 1, r.Created, r.LastModified, enc, passwordHash)
	if err != nil {
		return err
	}
	if len(members) > 0 {
		if _, err := db.addMembers(ctx, tx, tenant, rid, members); err != nil {
			return err
		}
	}
	r.Version = 1
	return nil
}

// insertRow writes a resource's row, its index entries and its count,
// and returns its row id.
func (db *DB) insertRow(ctx context.Context, tx *sql.Tx, tenant, typ, id string, version int64, created, modified time.Time, enc *row, passwordHash string) (int64, error) {
	var rid int64
	err := db.txQueryRow(ctx, tx, `INSERT INTO resources
		(tenant, rtype, id, version, created, modified, display, fdisplay, data, fdata, password)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING rid`,
		tenant, typ, id, version, created.UnixNano(), modified.UnixNano(),
		enc.display, enc.fdisplay, enc.data, enc.fdata, nullString(passwordHash)).Scan(&rid)
	if err != nil {
		return 0, err
	}
	if err := db.insertIndex(ctx, tx, tenant, typ, rid, enc.index); err != nil {
		return 0, err
	}
	if err := db.insertText(ctx, tx, rid, enc.text); err != nil {
		return 0, err
	}
	return rid, db.count(ctx, tx, tenant, typ, 1)
}

// Bootstrap creates a tenant, its administrator and the administrator's
// group in one transaction.
func (db *DB) Bootstrap(ctx context.Context, tenant string, admin *store.Resource, passwordHash string, group *store.Resource) error {
	userEnc, err := db.encodeNew(admin.Type, admin.Doc)
	if err != nil {
		return err
	}
	groupEnc, err := db.encodeNew(group.Type, group.Doc)
	if err != nil {
		return err
	}
	defer db.cache.wroteAll()
	return db.exec(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if tenant != store.DefaultTenant {
			if err := db.insertTenant(ctx, tx, tenant); err != nil {
				return err
			}
		}
		if err := db.insert(ctx, tx, tenant, admin, userEnc, nil, passwordHash); err != nil {
			return err
		}
		return db.insert(ctx, tx, tenant, group, groupEnc, []string{admin.ID}, "")
	})
}

// slot is an index entry's place in the key: 0 for a unique attribute, so
// that the primary key refuses a second resource with the value.
func (e indexEntry) slot(rid int64) int64 {
	if e.unique {
		return 0
	}
	return rid
}

func (db *DB) insertIndex(ctx context.Context, tx *sql.Tx, tenant, typ string, rid int64, entries []indexEntry) error {
	for _, e := range entries {
		db.countEntry(ctx, tenant, typ, rid, e, 1)
		_, err := db.txExec(ctx, tx, `INSERT INTO attr_index (tenant, rtype, attr, val, slot, rid) VALUES (?, ?, ?, ?, ?, ?)`,
			tenant, typ, e.attr, e.val, e.slot(rid), rid)
		if err != nil {
			if db.flavor.isUnique(err) && e.unique {
				return &store.UniqueError{Attr: e.attr, Value: e.val}
			}
			return err
		}
	}
	return nil
}

func (db *DB) deleteIndex(ctx context.Context, tx *sql.Tx, tenant, typ string, rid int64, entries []indexEntry) error {
	for _, e := range entries {
		res, err := db.txExec(ctx, tx, `DELETE FROM attr_index WHERE tenant = ? AND rtype = ? AND attr = ? AND val = ? AND slot = ?`,
			tenant, typ, e.attr, e.val, e.slot(rid))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n > 0 { // count only what was there
			db.countEntry(ctx, tenant, typ, rid, e, -1)
		}
	}
	return nil
}

// countEntry leaves an index entry a write adds (delta 1) or removes (-1)
// for the rank buckets to count once the write commits (a write that
// fails leaves nothing: its pending is dropped).
func (db *DB) countEntry(ctx context.Context, tenant, typ string, rid int64, e indexEntry, delta int) {
	if p := pendingOf(ctx); db.ranks != nil && p != nil {
		p.ranks = append(p.ranks, rankOp{ix: rankIndex{tenant, typ, e.attr}, key: rankKey{e.val, e.slot(rid)}, delta: delta})
	}
}

// Get returns a resource with the relations load asks for. The row comes
// with whether the resource is in a group and whether it has members, so
// that a resource without relations costs one query.
func (db *DB) Get(ctx context.Context, tenant, typ, id string, load store.Load) (*store.Resource, error) {
	if !storable(tenant, id) {
		return nil, store.ErrNotFound
	}
	if db.cache == nil {
		return db.get(ctx, tenant, typ, id, load)
	}
	k := cacheKey{tenant, typ, id}
	if r, ok := db.cache.get(k, load); ok {
		return r, nil
	}
	st := db.cache.stamp(k)
	r, err := db.get(ctx, tenant, typ, id, load)
	if err == nil {
		db.cache.put(k, r, load, st)
	}
	return r, err
}

// get reads a resource from the database.
func (db *DB) get(ctx context.Context, tenant, typ, id string, load store.Load) (*store.Resource, error) {
	var inGroup, hasMembers bool
	row := db.queryRow(ctx, `SELECT rid, version, created, modified, data,
		EXISTS (SELECT 1 FROM members WHERE member_rid = r.rid), EXISTS (SELECT 1 FROM members WHERE group_rid = r.rid)
		FROM resources r WHERE id = ? AND tenant = ? AND rtype = ?`, id, tenant, typ)
	r, rid, err := scanResource(row, typ, id, &inGroup, &hasMembers)
	if err != nil {
		return nil, err
	}
	if load.Groups && !inGroup {
		load.Groups, r.Groups = false, []store.GroupRef{}
	}
	if load.Members && !hasMembers {
		load.Members, r.Members = false, []store.Member{}
	}
	if err := db.loadRelations(ctx, db.read, load, map[int64]*store.Resource{rid: r}); err != nil {
		return nil, err
	}
	return r, nil
}

func scanResource(row *sql.Row, typ, id string, extra ...any) (*store.Resource, int64, error) {
	var (
		rid, created, modified int64
		data                   []byte
		r                      = &store.Resource{Type: typ, ID: id}
	)
	if err := row.Scan(append([]any{&rid, &r.Version, &created, &modified, &data}, extra...)...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, 0, store.ErrNotFound
		}
		return nil, 0, err
	}
	r.Created, r.LastModified = time.Unix(0, created).UTC(), time.Unix(0, modified).UTC()
	doc, err := decodeDoc(data)
	r.Doc = doc
	return r, rid, err
}

// Update reads, changes and writes a resource in one transaction.
func (db *DB) Update(ctx context.Context, tenant, typ, id string, readLoad, load store.Load, fn func(*store.Resource) (*store.Change, error)) (*store.Resource, error) {
	if !storable(tenant, id) {
		return nil, store.ErrNotFound
	}
	var (
		out     *store.Resource
		rid     int64
		related bool // the change shows in relations: members, or the display name
	)
	defer func() { db.cache.wrote(cacheKey{tenant, typ, id}, related) }()
	err := db.exec(ctx, func(ctx context.Context, tx *sql.Tx) error {
		r, id, err := scanResource(db.txQueryRow(ctx, tx, `SELECT rid, version, created, modified, data FROM resources WHERE id = ? AND tenant = ? AND rtype = ?`+db.flavor.lockForUpdate, id, tenant, typ), typ, id)
		if err != nil {
			return err
		}
		rid = id
		if err := db.loadRelations(ctx, tx, readLoad, map[int64]*store.Resource{rid: r}); err != nil {
			return err
		}
		display := displayOf(r.Doc) // before fn, which may change r
		ch, err := fn(r)
		if err != nil || ch == nil {
			out = r
			return err
		}
		related = ch.Members != nil || ch.Doc != nil && displayOf(ch.Doc) != display
		out, err = db.apply(ctx, tx, tenant, rid, r, ch)
		return err
	})
	if err != nil {
		return nil, err
	}
	out.Members, out.Groups = nil, nil
	if err := db.loadRelations(ctx, db.read, load, map[int64]*store.Resource{rid: out}); err != nil {
		return nil, err
	}
	return out, nil
}

// apply writes a change to the resource old (row rid) and returns the new
// resource; if nothing changes it writes nothing and returns old.
func (db *DB) apply(ctx context.Context, tx *sql.Tx, tenant string, rid int64, old *store.Resource, ch *store.Change) (*store.Resource, error) {
	changed := false
	if ch.Members != nil {
		n, err := db.changeMembers(ctx, tx, tenant, rid, ch.Members)
		if err != nil {
			return nil, err
		}
		changed = n > 0
	}
	next := *old
	oldEnc, err := db.encode(old.Type, old.Doc)
	if err != nil {
		return nil, err
	}
	enc := oldEnc
	if ch.Doc != nil {
		if enc, err = db.encodeNew(old.Type, ch.Doc); err != nil {
			return nil, err
		}
		if !bytes.Equal(enc.data, oldEnc.data) {
			changed = true
			next.Doc = ch.Doc
			if err := db.reindex(ctx, tx, tenant, old.Type, rid, oldEnc.index, enc.index); err != nil {
				return nil, err
			}
			if err := db.retext(ctx, tx, rid, oldEnc.text, enc.text); err != nil {
				return nil, err
			}
		}
	}
	if ch.PasswordHash != nil {
		changed = true
	}
	if !changed {
		return old, nil
	}
	next.Version = old.Version + 1
	next.LastModified = ch.LastModified
	res, err := db.txExec(ctx, tx, (`UPDATE resources SET version = ?, modified = ?, display = ?, fdisplay = ?, data = ?, fdata = ?,
		password = CASE WHEN ? THEN ? ELSE password END WHERE rid = ? AND version = ?`),
		next.Version, next.LastModified.UnixNano(), enc.display, enc.fdisplay, enc.data, enc.fdata,
		ch.PasswordHash != nil, nullString(deref(ch.PasswordHash)), rid, old.Version)
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return nil, errors.Join(store.ErrVersionMismatch, err)
	}
	return &next, nil
}

// reindex replaces a resource's index entries, touching only those that differ.
func (db *DB) reindex(ctx context.Context, tx *sql.Tx, tenant, typ string, rid int64, old, next []indexEntry) error {
	var gone, added []indexEntry
	for _, e := range old {
		if !containsEntry(next, e) {
			gone = append(gone, e)
		}
	}
	for _, e := range next {
		if !containsEntry(old, e) {
			added = append(added, e)
		}
	}
	if err := db.deleteIndex(ctx, tx, tenant, typ, rid, gone); err != nil {
		return err
	}
	return db.insertIndex(ctx, tx, tenant, typ, rid, added)
}

func containsEntry(list []indexEntry, e indexEntry) bool {
	for _, x := range list {
		if x.attr == e.attr && x.val == e.val {
			return true
		}
	}
	return false
}

// Delete removes a resource, its index entries and its memberships. The
// groups it was a member of get a new version.
func (db *DB) Delete(ctx context.Context, tenant, typ, id string, match func(version int64) error) error {
	if !storable(tenant, id) {
		return store.ErrNotFound
	}
	defer db.cache.wrote(cacheKey{tenant, typ, id}, true)
	return db.exec(ctx, func(ctx context.Context, tx *sql.Tx) error {
		r, rid, err := scanResource(db.txQueryRow(ctx, tx, `SELECT rid, version, created, modified, data FROM resources WHERE id = ? AND tenant = ? AND rtype = ?`+db.flavor.lockForDelete, id, tenant, typ), typ, id)
		if err != nil {
			return err
		}
		if match != nil {
			if err := match(r.Version); err != nil {
				return err
			}
		}
		enc, err := db.encode(typ, r.Doc)
		if err != nil {
			return err
		}
		if err := db.deleteIndex(ctx, tx, tenant, typ, rid, enc.index); err != nil {
			return err
		}
		if err := db.deleteText(ctx, tx, rid, enc.text); err != nil {
			return err
		}
		if err := db.leaveGroups(ctx, tx, rid); err != nil {
			return err
		}
		if _, err := db.txExec(ctx, tx, (`DELETE FROM members WHERE group_rid = ?`), rid); err != nil {
			return err
		}
		if _, err = db.txExec(ctx, tx, (`DELETE FROM resources WHERE rid = ?`), rid); err != nil {
			return err
		}
		return db.count(ctx, tx, tenant, typ, -1)
	})
}

// count adds delta to the number of resources of a type in a tenant.
func (db *DB) count(ctx context.Context, tx *sql.Tx, tenant, typ string, delta int) error {
	_, err := db.txExec(ctx, tx, (`INSERT INTO resource_counts (tenant, rtype, shard, n) VALUES (?, ?, ?, ?)
		ON CONFLICT (tenant, rtype, shard) DO UPDATE SET n = resource_counts.n + excluded.n`),
		tenant, typ, rand.IntN(db.flavor.countShards), delta)
	return err
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// querier is what reads need of *sql.DB and *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}
