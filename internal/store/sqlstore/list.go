package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/scimd/scimd/internal/store"
)

// query is a SELECT under construction: conditions joined by AND, with
// their bound arguments in order.
type query struct {
	where []string
	args  []any
}

func (q *query) cond(sql string, args ...any) {
	q.where = append(q.where, sql)
	q.args = append(q.args, args...)
}

func (q *query) whereClause() string { return strings.Join(q.where, " AND ") }

// List returns a page of resources and the number of matches.
func (db *DB) List(ctx context.Context, tenant, typ string, lq store.Query) (*store.Page, error) {
	var q query
	q.cond("r.tenant = ?", tenant)
	q.cond("r.rtype = ?", typ)
	page := &store.Page{Resources: []*store.Resource{}}
	if err := db.read.QueryRowContext(ctx, db.flavor.rebind(`SELECT count(*) FROM resources r WHERE `+q.whereClause()), q.args...).Scan(&page.Total); err != nil {
		return nil, err
	}
	if lq.Count <= 0 || lq.Offset >= page.Total {
		return page, nil
	}
	args := append(q.args, lq.Count, lq.Offset)
	rows, err := db.read.QueryContext(ctx, db.flavor.rebind(`SELECT r.rid, r.id, r.version, r.created, r.modified, r.data
		FROM resources r WHERE `+q.whereClause()+` ORDER BY r.rid LIMIT ? OFFSET ?`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byRid := map[int64]*store.Resource{}
	for rows.Next() {
		var (
			rid, created, modified int64
			data                   []byte
			r                      = &store.Resource{Type: typ}
		)
		if err := rows.Scan(&rid, &r.ID, &r.Version, &created, &modified, &data); err != nil {
			return nil, err
		}
		r.Created, r.LastModified = time.Unix(0, created).UTC(), time.Unix(0, modified).UTC()
		if r.Doc, err = decodeDoc(data); err != nil {
			return nil, err
		}
		byRid[rid] = r
		page.Resources = append(page.Resources, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := db.loadRelations(ctx, db.read, lq.Load, byRid); err != nil {
		return nil, err
	}
	return page, nil
}
