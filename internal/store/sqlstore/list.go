package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim"
)

// sqlBuf builds a statement and its arguments in textual order.
type sqlBuf struct {
	b    strings.Builder
	args []any
}

func (q *sqlBuf) add(sql string, args ...any) *sqlBuf {
	q.b.WriteString(sql)
	q.args = append(q.args, args...)
	return q
}

// part is a compiled SQL fragment with its arguments.
type part struct {
	sql  string
	args []any
}

// List returns a page of resources and the number of matches, filtering,
// sorting and paging in the database.
func (db *DB) List(ctx context.Context, tenant string, lq store.Query) (*store.Page, error) {
	if len(lq.Types) == 0 {
		return nil, errors.New("sqlstore: a query needs a resource type")
	}
	where, key, err := db.compileQuery(tenant, lq)
	if err != nil {
		return nil, err
	}
	page := &store.Page{Resources: []*store.Resource{}}
	if lq.Count > 0 {
		full := false
		if attr, ok := db.indexOrder(lq); ok {
			page, full, err = db.indexPage(ctx, tenant, lq, attr)
		}
		if err == nil && !full {
			page, err = db.page(ctx, lq, where, key)
		}
		if err != nil {
			return nil, err
		}
	}
	switch {
	case lq.NoTotal:
	case lq.Count > 0 && !page.More && lq.After == nil && lq.Before == nil && (lq.Offset == 0 || len(page.Resources) > 0):
		// The page holds the last match and where it starts is known:
		// it counted the matches. (A selective filter's one query.)
		page.Total = lq.Offset + len(page.Resources)
	default:
		if page.Total, err = db.total(ctx, tenant, lq, where); err != nil {
			return nil, err
		}
	}
	return page, nil
}

// page reads the page the query asks for.
func (db *DB) page(ctx context.Context, lq store.Query, where, key part) (*store.Page, error) {
	page := &store.Page{Resources: []*store.Resource{}}
	back := lq.Before != nil
	desc := lq.Descending != back // paging backwards reads in reverse
	q := &sqlBuf{}
	q.add("SELECT r.rid, r.rtype, r.id, r.version, r.created, r.modified, r.data, ")
	if key.sql == "" {
		q.add("NULL")
	} else {
		q.add(key.sql, key.args...)
	}
	q.add(relationFlags)
	q.add(" FROM resources r WHERE ").add(where.sql, where.args...)
	pos := lq.After
	if back {
		pos = lq.Before
	}
	if pos != nil {
		q.add(" AND ")
		keyset(q, key, desc, pos)
	}
	q.add(" ORDER BY ")
	orderBy(q, key, desc)
	q.add(" LIMIT ?", lq.Count+1)
	if pos == nil && lq.Offset > 0 {
		q.add(" OFFSET ?", lq.Offset)
	}
	rows, err := db.listQuery(ctx, q.b.String(), q.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return db.scanPage(ctx, rows, page, lq, back)
}

// relationFlags are the columns that say whether a page's resource has
// relations to load: most have none, and then loading them is a query
// saved.
const relationFlags = ", EXISTS (SELECT 1 FROM members WHERE member_rid = r.rid), EXISTS (SELECT 1 FROM members WHERE group_rid = r.rid)"

// indexOrder reports whether the page a query asks for can be read in the
// order of an attribute index (attr_index), and of which attribute: all
// resources of one type, by position, ascending by a single-valued
// attribute whose index the database holds in the values' current form.
// Each resource with a value then has one entry, the value being its sort
// key, entries of equal values are in row id order, and the resources
// without a value sort after all of them: so the index holds the start of
// the query's order, and an offset in it is skipped in the index alone.
func (db *DB) indexOrder(lq store.Query) (string, bool) {
	if len(lq.Types) != 1 || lq.Descending || lq.After != nil || lq.Before != nil {
		return "", false
	}
	sel := lq.Types[0]
	if sel.Filter != nil || sel.SortBy == nil {
		return "", false
	}
	p, rt := *sel.SortBy, db.reg.ResourceType(sel.Type)
	if rt == nil || p.Sub != nil || p.Attr.MultiValued || !isIndexed(rt, p) {
		return "", false
	}
	for _, ix := range rt.Indexed() {
		if ix.Path.String() == p.String() && db.indexes[valueIndexDef(rt.Name, ix)] {
			return p.String(), true
		}
	}
	return "", false
}

// indexPage reads a page in the order of attr's index (see indexOrder):
// the offset is skipped in the index alone — from the rank bucket that
// holds it, where the store keeps them — then the page's resources are
// read by row id. It reports false when the index ends within the page,
// which then includes resources without a value, not in the index.
func (db *DB) indexPage(ctx context.Context, tenant string, lq store.Query, attr string) (*store.Page, bool, error) {
	q := &sqlBuf{}
	q.add("SELECT r.rid, r.rtype, r.id, r.version, r.created, r.modified, r.data, a.val" + relationFlags)
	q.add(" FROM (SELECT val, slot, rid FROM attr_index WHERE tenant = ? AND rtype = ? AND attr = ?", tenant, lq.Types[0].Type, attr)
	offset := lq.Offset
	if ix := (rankIndex{tenant, lq.Types[0].Type, attr}); db.ranks != nil {
		switch from, hasFrom, within, known := db.ranks.locate(ix, offset); {
		case known && hasFrom:
			q.add(" AND (val, slot) >= (?, ?)", from.val, from.slot) // a row value: a range on the index
			offset = within
		case known:
			offset = within
		case offset >= 2*db.ranks.bucket: // worth building
			db.w.requestBuild(ix)
		}
	}
	q.add(" ORDER BY val, slot LIMIT ? OFFSET ?) a", lq.Count+1, offset)
	q.add(" JOIN resources r ON r.rid = a.rid ORDER BY a.val, a.slot")
	rows, err := db.listQuery(ctx, q.b.String(), q.args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	page, err := db.scanPage(ctx, rows, &store.Page{Resources: []*store.Resource{}}, lq, false)
	return page, err == nil && page.More, err
}

// compileQuery compiles the query's condition (one term per resource type)
// and its sort key.
func (db *DB) compileQuery(tenant string, lq store.Query) (where, key part, err error) {
	var terms, keys []string
	sorted := false
	var kind keyKind // of the sort keys so far
	for _, sel := range lq.Types {
		rt := db.reg.ResourceType(sel.Type)
		if rt == nil {
			return part{}, part{}, fmt.Errorf("sqlstore: unknown resource type %q", sel.Type)
		}
		c := &compiler{d: db.flavor.sql, rt: rt, tenant: tenant, refs: func(t string) string { return lq.Refs[t] }, text: db.textDefs[sel.Type]}
		term := "r.rtype = " + c.arg(sel.Type)
		if err := checkLiterals(sel.Filter); err != nil {
			return part{}, part{}, err
		}
		if sel.Filter != nil {
			term += " AND (" + c.cond(sel.Filter, top) + ")"
		}
		terms = append(terms, "("+term+")")
		where.args = append(where.args, c.args...)
		k := "NULL"
		if sel.SortBy != nil {
			c.args = nil
			if k, err = c.sortKey(*sel.SortBy); err != nil {
				return part{}, part{}, err
			}
			sorted = true
			key.args = append(key.args, c.args...)
			sk := c.sortKind(*sel.SortBy)
			if kind != 0 && sk != kind {
				return part{}, part{}, scim.BadRequest(scim.InvalidValue, "sortBy: %s is a number for some of the resource types searched and a string for others; search them apart", sel.SortBy)
			}
			kind = sk
		}
		keys = append(keys, k)
	}
	where.sql = "r.tenant = ? AND (" + strings.Join(terms, " OR ") + ")"
	where.args = append([]any{tenant}, where.args...)
	switch {
	case !sorted:
		key = part{}
	case len(keys) == 1:
		key.sql = keys[0]
	default:
		var b strings.Builder
		b.WriteString("(CASE r.rtype")
		for i, sel := range lq.Types {
			b.WriteString(" WHEN '" + strings.ReplaceAll(sel.Type, "'", "''") + "' THEN " + keys[i])
		}
		b.WriteString(" END)")
		key.sql = b.String()
	}
	return where, key, nil
}

// total counts the matches: from the maintained counts when no type is
// filtered, with count(*) otherwise.
func (db *DB) total(ctx context.Context, tenant string, lq store.Query, where part) (int, error) {
	filtered := slices.ContainsFunc(lq.Types, func(s store.Selection) bool { return s.Filter != nil })
	var n int
	if filtered {
		rows, err := db.listQuery(ctx, `SELECT count(*) FROM resources r WHERE `+where.sql, where.args...)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		if rows.Next() {
			err = rows.Scan(&n)
		}
		return n, errors.Join(err, rows.Err())
	}
	for _, sel := range lq.Types {
		var k int
		if err := db.queryRow(ctx, `SELECT coalesce(sum(n), 0) FROM resource_counts WHERE tenant = ? AND rtype = ?`, tenant, sel.Type).Scan(&k); err != nil {
			return 0, err
		}
		n += k
	}
	return n, nil
}

// listQuery runs a query whose text is built per request (a list's), as
// a statement prepared once where the flavor prepares.
func (db *DB) listQuery(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if db.lists == nil {
		return db.read.QueryContext(ctx, db.flavor.rebind(query), args...)
	}
	return db.lists.query(ctx, query, args...)
}

// orderBy orders by the key with missing values last when ascending and
// first when descending, then by row id so that paging is stable.
func orderBy(q *sqlBuf, key part, desc bool) {
	dir := ""
	if desc {
		dir = " DESC"
	}
	if key.sql != "" {
		q.add("("+key.sql+") IS NULL"+dir+", ", key.args...)
		q.add(key.sql+dir+", ", key.args...)
	}
	q.add("r.rid" + dir)
}

// keyset adds the condition "comes after pos in the order", the order
// being the one orderBy writes.
func keyset(q *sqlBuf, key part, desc bool, pos *store.Position) {
	cmp := ">"
	if desc {
		cmp = "<"
	}
	if key.sql == "" {
		q.add("r.rid "+cmp+" ?", pos.Row)
		return
	}
	isNull := func() { q.add("("+key.sql+") IS NULL", key.args...) }
	notNull := func() { q.add("("+key.sql+") IS NOT NULL", key.args...) }
	k := func(op string, v any) { q.add("("+key.sql+") "+op+" ?", append(slices.Clone(key.args), v)...) }
	q.add("(")
	switch {
	case pos.Key == nil && !desc: // missing values come last: only later missing ones follow
		isNull()
		q.add(" AND r.rid > ?", pos.Row)
	case pos.Key == nil && desc: // missing values come first: later missing ones, then all others
		isNull()
		q.add(" AND r.rid < ? OR ", pos.Row)
		notNull()
	default:
		notNull()
		q.add(" AND (")
		k(cmp, pos.Key)
		q.add(" OR ")
		k("=", pos.Key)
		q.add(" AND r.rid "+cmp+" ?)", pos.Row)
		if !desc {
			q.add(" OR ")
			isNull()
		}
	}
	q.add(")")
}

// scanPage reads a page query's rows (one more than the page, which tells
// whether more follow), in the query's order, closes them, and loads the
// resources' relations.
func (db *DB) scanPage(ctx context.Context, rows *sql.Rows, page *store.Page, lq store.Query, back bool) (*store.Page, error) {
	// The resources whose groups, and whose members, are to be loaded.
	groupsOf, membersOf := map[int64]*store.Resource{}, map[int64]*store.Resource{}
	var positions []*store.Position
	for rows.Next() {
		var (
			rid, created, modified int64
			data                   []byte
			key                    any
			inGroup, hasMembers    bool
			r                      = &store.Resource{}
		)
		if err := rows.Scan(&rid, &r.Type, &r.ID, &r.Version, &created, &modified, &data, &key, &inGroup, &hasMembers); err != nil {
			return nil, err
		}
		if len(page.Resources) == lq.Count {
			page.More = true
			break
		}
		r.Created, r.LastModified = time.Unix(0, created).UTC(), time.Unix(0, modified).UTC()
		var err error
		if r.Doc, err = decodeDoc(data); err != nil {
			return nil, err
		}
		switch {
		case !lq.Load.Groups:
		case inGroup:
			groupsOf[rid] = r
		default:
			r.Groups = []store.GroupRef{}
		}
		switch {
		case !lq.Load.Members:
		case hasMembers:
			membersOf[rid] = r
		default:
			r.Members = []store.Member{}
		}
		page.Resources = append(page.Resources, r)
		positions = append(positions, &store.Position{Key: sortValue(key), Row: rid})
	}
	// Release the connection before loading relations through another:
	// with as many pages at once as the pool has connections, each would
	// wait for a connection the others hold.
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	if back {
		slices.Reverse(page.Resources)
		slices.Reverse(positions)
	}
	if len(positions) > 0 {
		page.First, page.Last = positions[0], positions[len(positions)-1]
	}
	if err := db.loadRelations(ctx, db.read, store.Load{Groups: true}, groupsOf); err != nil {
		return nil, err
	}
	if err := db.loadRelations(ctx, db.read, store.Load{Members: true}, membersOf); err != nil {
		return nil, err
	}
	return page, nil
}

// sortValue normalizes a scanned sort key to nil, string, int64 or float64.
func sortValue(v any) any {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return v
}

// CountLacking counts the resources of a type without a value under a
// top-level key of their document.
func (db *DB) CountLacking(ctx context.Context, typ, key string) (int, error) {
	var n int
	d := db.flavor.sql
	err := db.read.QueryRowContext(ctx, db.flavor.rebind(`SELECT count(*) FROM resources WHERE rtype = ? AND NOT (`+
		d.present(d.value(db.flavor.dataJSON, []string{key}))+`)`), typ).Scan(&n)
	return n, err
}
