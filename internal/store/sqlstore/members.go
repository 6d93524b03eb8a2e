package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sort"

	"github.com/scimd/scimd/internal/store"
)

// inChunk bounds the number of values bound in one IN (...) list.
const inChunk = 500

// resolve maps member ids to row ids within the tenant. Only users and
// groups can be members. Inside a write, the rows it finds are locked
// against deletion until it commits, so that no membership outlives its
// member.
func (db *DB) resolve(ctx context.Context, q querier, tenant string, ids []string) (map[string]int64, error) {
	out := make(map[string]int64, len(ids))
	ids = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return !storable(id) }) // found nowhere
	for start := 0; start < len(ids); start += inChunk {
		chunk := ids[start:min(start+inChunk, len(ids))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, tenant)
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := q.QueryContext(ctx, db.flavor.rebind(`SELECT id, rid FROM resources
			WHERE tenant = ? AND rtype IN ('User', 'Group') AND id IN (`+placeholders(len(chunk))+`)`+db.flavor.lockForMember), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			var rid int64
			if err := rows.Scan(&id, &rid); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = rid
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// addMembers adds members to a group; all must exist in the tenant. It
// returns how many were not members already.
func (db *DB) addMembers(ctx context.Context, tx *sql.Tx, tenant string, groupRid int64, ids []string) (int, error) {
	rids, err := db.resolve(ctx, tx, tenant, ids)
	if err != nil {
		return 0, err
	}
	var missing []string
	for _, id := range ids {
		rid, ok := rids[id]
		if !ok {
			missing = append(missing, id)
		} else if rid == groupRid {
			return 0, store.ErrSelfMember
		}
	}
	if len(missing) > 0 {
		return 0, &store.MemberError{IDs: missing}
	}
	n := 0
	for _, id := range ids {
		res, err := db.txExec(ctx, tx, (`INSERT INTO members (group_rid, member_rid) VALUES (?, ?) ON CONFLICT DO NOTHING`), groupRid, rids[id])
		if err != nil {
			return 0, err
		}
		added, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		n += int(added)
	}
	return n, nil
}

// changeMembers applies a MemberChange and returns how many memberships
// it added or removed.
func (db *DB) changeMembers(ctx context.Context, tx *sql.Tx, tenant string, groupRid int64, ch *store.MemberChange) (int, error) {
	n := 0
	count := func(res sql.Result, err error) error {
		if err != nil {
			return err
		}
		k, err := res.RowsAffected()
		n += int(k)
		return err
	}
	if ch.RemoveAll {
		if err := count(db.txExec(ctx, tx, (`DELETE FROM members WHERE group_rid = ?`), groupRid)); err != nil {
			return 0, err
		}
	}
	if len(ch.Remove) > 0 {
		rids, err := db.resolve(ctx, tx, tenant, ch.Remove)
		if err != nil {
			return 0, err
		}
		for _, rid := range rids {
			if err := count(db.txExec(ctx, tx, (`DELETE FROM members WHERE group_rid = ? AND member_rid = ?`), groupRid, rid)); err != nil {
				return 0, err
			}
		}
	}
	if len(ch.Add) > 0 {
		added, err := db.addMembers(ctx, tx, tenant, groupRid, ch.Add)
		if err != nil {
			return 0, err
		}
		n += added
	}
	return n, nil
}

// leaveGroups removes a resource from every group, giving each of those
// groups a new version.
func (db *DB) leaveGroups(ctx context.Context, tx *sql.Tx, rid int64) error {
	_, err := db.txExec(ctx, tx, (`UPDATE resources SET version = version + 1, modified = ?
		WHERE rid IN (SELECT group_rid FROM members WHERE member_rid = ?)`), db.now().UnixNano(), rid)
	if err != nil {
		return err
	}
	_, err = db.txExec(ctx, tx, (`DELETE FROM members WHERE member_rid = ?`), rid)
	return err
}

// loadRelations loads the members and groups that load asks for into the
// resources, keyed by row id.
func (db *DB) loadRelations(ctx context.Context, q querier, load store.Load, byRid map[int64]*store.Resource) error {
	if len(byRid) == 0 || (!load.Members && !load.Groups) {
		return nil
	}
	rids := make([]int64, 0, len(byRid))
	for rid := range byRid {
		rids = append(rids, rid)
	}
	sort.Slice(rids, func(i, j int) bool { return rids[i] < rids[j] })
	for start := 0; start < len(rids); start += inChunk {
		chunk := rids[start:min(start+inChunk, len(rids))]
		if load.Members {
			if err := db.loadMembers(ctx, q, chunk, byRid); err != nil {
				return err
			}
		}
		if load.Groups {
			if err := db.loadGroups(ctx, q, chunk, byRid); err != nil {
				return err
			}
		}
	}
	return nil
}

func (db *DB) loadMembers(ctx context.Context, q querier, rids []int64, byRid map[int64]*store.Resource) error {
	for _, rid := range rids {
		if byRid[rid].Members == nil {
			byRid[rid].Members = []store.Member{}
		}
	}
	n, args := ridArgs(rids)
	rows, err := db.query(ctx, q, `SELECT m.group_rid, r.id, r.rtype, r.display
		FROM members m JOIN resources r ON r.rid = m.member_rid
		WHERE m.group_rid IN (`+placeholders(n)+`) ORDER BY m.group_rid, m.member_rid`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var rid int64
		var m store.Member
		if err := rows.Scan(&rid, &m.ID, &m.Type, &m.Display); err != nil {
			return err
		}
		byRid[rid].Members = append(byRid[rid].Members, m)
	}
	return rows.Err()
}

// loadGroups loads the direct and indirect groups of resources, walking
// nested groups; UNION makes the walk end on membership cycles.
func (db *DB) loadGroups(ctx context.Context, q querier, rids []int64, byRid map[int64]*store.Resource) error {
	for _, rid := range rids {
		if byRid[rid].Groups == nil {
			byRid[rid].Groups = []store.GroupRef{}
		}
	}
	n, args := ridArgs(rids)
	rows, err := db.query(ctx, q, `WITH RECURSIVE g(origin, rid, direct) AS (
			SELECT member_rid, group_rid, 1 FROM members WHERE member_rid IN (`+placeholders(n)+`)
			UNION
			SELECT g.origin, m.group_rid, 0 FROM members m JOIN g ON m.member_rid = g.rid
		)
		SELECT g.origin, r.id, r.display, max(g.direct) FROM g JOIN resources r ON r.rid = g.rid
		GROUP BY g.origin, r.rid, r.id, r.display ORDER BY g.origin, r.rid`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var origin int64
		var g store.GroupRef
		var direct int
		if err := rows.Scan(&origin, &g.ID, &g.Display, &direct); err != nil {
			return err
		}
		g.Direct = direct == 1
		byRid[origin].Groups = append(byRid[origin].Groups, g)
	}
	return rows.Err()
}

// ridBuckets are the sizes IN lists of row ids are padded to, so that each
// query has a handful of texts, all prepared once.
var ridBuckets = []int{1, 8, 32, 128, inChunk}

// ridArgs pads row ids (at most inChunk) with 0, which is never a row id,
// to the next bucket size, and returns that size and the arguments.
func ridArgs(rids []int64) (int, []any) {
	n := inChunk
	for _, b := range ridBuckets {
		if len(rids) <= b {
			n = b
			break
		}
	}
	args := make([]any, n)
	for i := range args {
		args[i] = int64(0)
		if i < len(rids) {
			args[i] = rids[i]
		}
	}
	return n, args
}

// query runs a read query: as a prepared statement on the read pool where
// the flavor prepares, else directly.
func (db *DB) query(ctx context.Context, q querier, query string, args ...any) (*sql.Rows, error) {
	if q != db.read || !db.flavor.prepare {
		return q.QueryContext(ctx, db.flavor.rebind(query), args...)
	}
	s, err := db.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

// GroupValues returns the values of an indexed Group attribute over all the
// groups a resource belongs to, directly or through nested groups.
func (db *DB) GroupValues(ctx context.Context, tenant, id, attr string) ([]string, error) {
	rows, err := db.query(ctx, db.read, `WITH RECURSIVE g(rid) AS (
			SELECT m.group_rid FROM members m JOIN resources r ON r.rid = m.member_rid WHERE r.id = ? AND r.tenant = ?
			UNION
			SELECT m.group_rid FROM members m JOIN g ON m.member_rid = g.rid
		)
		SELECT DISTINCT a.val FROM attr_index a JOIN g ON a.rid = g.rid
		WHERE a.tenant = ? AND a.rtype = 'Group' AND a.attr = ? ORDER BY a.val`, id, tenant, tenant, attr)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
