package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim/schema"
)

// indexDef is an attribute index the database holds.
type indexDef struct {
	rtype, attr, kind string // kind: text, or unique or value with the values' form ("value:string")
	num               int    // text: the attribute's number in attr_text rowids
}

// valueIndexDef is the definition of an attr_index index. The form of its
// values is part of the kind, so that a definition whose values take
// another form is rebuilt.
func valueIndexDef(rtype string, ix schema.Index) indexDef {
	kind := "value"
	if ix.Unique {
		kind = "unique"
	}
	return indexDef{rtype: rtype, attr: ix.Path.String(), kind: kind + ":" + ix.Form()}
}

// textDef is an attribute indexed for substring search.
type textDef struct {
	num  int
	path schema.Path
}

// syncIndexes applies an IndexPolicy: it makes the attribute indexes
// match the schema registry — indexes it declares that the database lacks
// are built from the stored resources, those it no longer declares are
// dropped — or checks that they do, or leaves them, using the text indexes
// both have.
func (db *DB) syncIndexes(ctx context.Context, policy IndexPolicy) (err error) {
	have, err := db.indexDefs(ctx, db.write)
	if err != nil {
		return err
	}
	defer func() {
		if err == nil {
			db.indexes, err = db.indexDefs(ctx, db.write)
		}
	}()
	db.textDefs = map[string][]textDef{}
	want := map[indexDef]bool{}
	numbered := maps.Clone(have) // the text indexes with their numbers, old and new
	for _, rt := range db.reg.ResourceTypes() {
		for _, ix := range rt.Indexed() {
			want[valueIndexDef(rt.Name, ix)] = true
		}
		for _, p := range rt.TextIndexed() {
			d := indexDef{rtype: rt.Name, attr: p.String(), kind: "text", num: textNumber(numbered, rt.Name, p.String())}
			want[d], numbered[d] = true, true
			if policy != KeepIndexes || have[d] {
				db.textDefs[rt.Name] = append(db.textDefs[rt.Name], textDef{num: d.num, path: p})
			}
		}
	}
	switch {
	case policy == KeepIndexes || maps.EqualFunc(have, want, func(bool, bool) bool { return true }):
		return nil
	case policy == CheckIndexes:
		var stored bool
		if err := db.write.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM resources)`).Scan(&stored); err != nil {
			return err
		}
		if stored {
			return fmt.Errorf("sqlstore: the database's attribute indexes differ from those of the schemas given (%s): run scimd migrate with these schemas to change them, then start every replica with them", indexDiff(have, want))
		}
	}
	// Drop first: a value and a unique index of one attribute share its
	// attr_index rows' key, and dropping deletes them all, so an attribute
	// that changes from one kind to the other must be dropped, then built.
	for d := range have {
		if !want[d] {
			if err := db.dropIndex(ctx, d); err != nil {
				return err
			}
		}
	}
	for d := range want {
		if !have[d] {
			if err := db.buildIndex(ctx, d); err != nil {
				return err
			}
		}
	}
	return nil
}

// indexDiff describes how the database's index definitions differ from
// the wanted ones.
func indexDiff(have, want map[indexDef]bool) string {
	var parts []string
	for d := range want {
		if !have[d] {
			parts = append(parts, "lacks "+d.rtype+"."+d.attr+" ("+d.kind+")")
		}
	}
	for d := range have {
		if !want[d] {
			parts = append(parts, "has "+d.rtype+"."+d.attr+" ("+d.kind+")")
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

func (db *DB) indexDefs(ctx context.Context, q querier) (map[indexDef]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT rtype, attr, kind, num FROM index_defs`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[indexDef]bool{}
	for rows.Next() {
		var d indexDef
		if err := rows.Scan(&d.rtype, &d.attr, &d.kind, &d.num); err != nil {
			return nil, err
		}
		out[d] = true
	}
	return out, rows.Err()
}

// textNumber is the number of a text index: the one it has, or the lowest
// free one of its resource type.
func textNumber(have map[indexDef]bool, rtype, attr string) int {
	used := map[int]bool{}
	for d := range have {
		if d.rtype == rtype && d.kind == "text" {
			if d.attr == attr {
				return d.num
			}
			used[d.num] = true
		}
	}
	n := 1
	for used[n] {
		n++
	}
	return n
}

// buildIndex indexes the stored resources of a type for a new definition,
// a thousand at a time, and records it. A unique index on values that
// collide fails, naming them.
func (db *DB) buildIndex(ctx context.Context, d indexDef) error {
	// Entries without a definition are leftovers: of a build that failed
	// after some batches committed, or written by a server while another
	// process, opened with other schemas, had dropped the definition.
	if err := db.dropIndex(ctx, d); err != nil {
		return err
	}
	var after int64
	for {
		rows, err := db.read.QueryContext(ctx, db.flavor.rebind(`SELECT rid, tenant, data FROM resources WHERE rtype = ? AND rid > ? ORDER BY rid LIMIT 1000`), d.rtype, after)
		if err != nil {
			return err
		}
		type item struct {
			rid    int64
			tenant string
			enc    *row
		}
		var batch []item
		for rows.Next() {
			var it item
			var data []byte
			if err := rows.Scan(&it.rid, &it.tenant, &data); err != nil {
				rows.Close()
				return err
			}
			doc, err := decodeDoc(data)
			if err != nil {
				rows.Close()
				return err
			}
			if it.enc, err = db.encode(d.rtype, doc); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, it)
			after = it.rid
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		if len(batch) == 0 {
			break
		}
		err = db.exec(ctx, func(ctx context.Context, tx *sql.Tx) error {
			for _, it := range batch {
				if err := db.insertEntries(ctx, tx, it.tenant, d, it.rid, it.enc); err != nil {
					return err
				}
			}
			return nil
		})
		var ue *store.UniqueError
		if errors.As(err, &ue) {
			return fmt.Errorf("sqlstore: %s.%s is now unique, but stored %s resources share the value %q: make them distinct first", d.rtype, d.attr, d.rtype, ue.Value)
		}
		if err != nil {
			return fmt.Errorf("sqlstore: indexing %s.%s: %w", d.rtype, d.attr, err)
		}
	}

	return db.exec(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := db.txExec(ctx, tx, `INSERT INTO index_defs (rtype, attr, kind, num) VALUES (?, ?, ?, ?)`, d.rtype, d.attr, d.kind, d.num)
		return err
	})
}

// insertEntries writes one resource's entries of one index definition.
func (db *DB) insertEntries(ctx context.Context, tx *sql.Tx, tenant string, d indexDef, rid int64, enc *row) error {
	if d.kind == "text" {
		for _, t := range enc.text {
			if t.num == d.num {
				return db.insertText(ctx, tx, rid, []textEntry{t})
			}
		}
		return nil
	}
	var entries []indexEntry
	for _, e := range enc.index {
		if e.attr == d.attr {
			entries = append(entries, e)
		}
	}
	return db.insertIndex(ctx, tx, tenant, d.rtype, rid, entries)
}

// dropIndex removes an index the registry no longer declares.
func (db *DB) dropIndex(ctx context.Context, d indexDef) error {
	if d.kind != "text" {
		defer db.ranks.forget(d.rtype, d.attr)
	}
	return db.exec(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		if d.kind == "text" {
			_, err = db.txExec(ctx, tx, `DELETE FROM attr_text WHERE rowid IN (SELECT rid * 64 + ? FROM resources WHERE rtype = ?)`, d.num, d.rtype)
		} else {
			_, err = db.txExec(ctx, tx, `DELETE FROM attr_index WHERE rtype = ? AND attr = ?`, d.rtype, d.attr)
		}
		if err != nil {
			return err
		}
		_, err = db.txExec(ctx, tx, `DELETE FROM index_defs WHERE rtype = ? AND attr = ? AND kind = ?`, d.rtype, d.attr, d.kind)
		return err
	})
}

// textEntry is a resource's text for one substring-indexed attribute.
type textEntry struct {
	num int
	val string
}

// textEntries returns a search document's values of the substring-indexed
// attributes, several values of one attribute on separate lines.
func (db *DB) textEntries(typ string, sdoc map[string]any) []textEntry {
	var out []textEntry
	for _, d := range db.textDefs[typ] {
		vals := schema.Index{Path: d.path}.IndexValues(sdoc)
		if len(vals) > 0 {
			out = append(out, textEntry{num: d.num, val: strings.Join(vals, "\n")})
		}
	}
	return out
}

// textOp is a change to attr_text: an insert, or a delete (del).
type textOp struct {
	rowid int64
	val   string
	del   bool
}

// pending collects what a write that the SQLite writer runs leaves for
// the writer to do for its whole batch (see writer.commit): attr_text
// changes, applied at once before committing (writes elsewhere apply them
// at once), and the index entries added and removed, which the rank
// buckets count after the commit.
type pending struct {
	text  []textOp
	ranks []rankOp
}

type pendingKey struct{}

func pendingOf(ctx context.Context) *pending {
	p, _ := ctx.Value(pendingKey{}).(*pending)
	return p
}

func (db *DB) insertText(ctx context.Context, tx *sql.Tx, rid int64, entries []textEntry) error {
	ops := make([]textOp, len(entries))
	for i, t := range entries {
		ops[i] = textOp{rowid: rid*64 + int64(t.num), val: t.val}
	}
	return db.changeText(ctx, tx, ops)
}

func (db *DB) deleteText(ctx context.Context, tx *sql.Tx, rid int64, entries []textEntry) error {
	ops := make([]textOp, len(entries))
	for i, t := range entries {
		ops[i] = textOp{rowid: rid*64 + int64(t.num), del: true}
	}
	return db.changeText(ctx, tx, ops)
}

// changeText applies changes to attr_text, or leaves them to the writer.
func (db *DB) changeText(ctx context.Context, tx *sql.Tx, ops []textOp) error {
	if p := pendingOf(ctx); p != nil {
		p.text = append(p.text, ops...)
		return nil
	}
	return db.applyText(ctx, tx, ops)
}

func (db *DB) applyText(ctx context.Context, tx *sql.Tx, ops []textOp) error {
	for _, op := range ops {
		var err error
		if op.del {
			_, err = db.txExec(ctx, tx, `DELETE FROM attr_text WHERE rowid = ?`, op.rowid)
		} else {
			_, err = db.txExec(ctx, tx, `INSERT INTO attr_text (rowid, val) VALUES (?, ?)`, op.rowid, op.val)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// retext replaces a resource's text entries that changed.
func (db *DB) retext(ctx context.Context, tx *sql.Tx, rid int64, old, next []textEntry) error {
	var gone, added []textEntry
	for _, e := range old {
		if !containsText(next, e) {
			gone = append(gone, e)
		}
	}
	for _, e := range next {
		if !containsText(old, e) {
			added = append(added, e)
		}
	}
	if err := db.deleteText(ctx, tx, rid, gone); err != nil {
		return err
	}
	return db.insertText(ctx, tx, rid, added)
}

func containsText(list []textEntry, e textEntry) bool {
	for _, x := range list {
		if x == e {
			return true
		}
	}
	return false
}
