package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/scimd/scimd/internal/store"
)

// memberships makes every group's members in dst those in src.
func (c *copier) memberships(ctx context.Context) error {
	if err := c.emptyGroups(ctx); err != nil {
		return err
	}
	total, err := c.count(ctx, `SELECT count(DISTINCT group_rid) FROM members`)
	if err != nil {
		return err
	}
	done := 0
	c.progress(CopyProgress{Phase: "memberships", Total: total})
	for after := int64(0); ; {
		groups, err := c.groupsAfter(ctx, after)
		if err != nil || len(groups) == 0 {
			return err
		}
		after = groups[len(groups)-1].rid
		for _, g := range groups {
			if err := c.dst.setMembers(ctx, g.tenant, g.id, g.members); err != nil {
				return fmt.Errorf("sqlstore: copying the members of group %s of tenant %q: %w", g.id, g.tenant, err)
			}
		}
		done += len(groups)
		c.progress(CopyProgress{Phase: "memberships", Done: done, Total: total})
	}
}

// emptyGroups removes the members of the groups in dst whose copies in
// src have none (any more).
func (c *copier) emptyGroups(ctx context.Context) error {
	for after := int64(0); ; {
		var grids []int64
		var ids []string
		rows, err := c.dst.read.QueryContext(ctx, c.dst.flavor.rebind(`SELECT g.rid, g.id FROM resources g
			WHERE g.rid IN (SELECT DISTINCT group_rid FROM members WHERE group_rid > ? ORDER BY group_rid LIMIT ?) ORDER BY g.rid`), after, copyBatch)
		if err != nil {
			return err
		}
		for rows.Next() {
			var rid int64
			var id string
			if err := rows.Scan(&rid, &id); err != nil {
				rows.Close()
				return err
			}
			grids, ids = append(grids, rid), append(ids, id)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil || len(ids) == 0 {
			return err
		}
		after = grids[len(grids)-1]
		withMembers, err := c.withMembers(ctx, ids)
		if err != nil {
			return err
		}
		err = c.dst.exec(ctx, func(ctx context.Context, tx *sql.Tx) error {
			for i, id := range ids {
				if withMembers[id] {
					continue
				}
				if _, err := c.dst.txExec(ctx, tx, `DELETE FROM members WHERE group_rid = ?`, grids[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
}

// withMembers returns which of the groups with the given ids have members
// in src.
func (c *copier) withMembers(ctx context.Context, ids []string) (map[string]bool, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := c.tx.QueryContext(ctx, c.src.flavor.rebind(`SELECT g.id FROM resources g WHERE g.id IN (`+placeholders(len(ids))+`)
		AND EXISTS (SELECT 1 FROM members m WHERE m.group_rid = g.rid)`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

type groupMembers struct {
	rid        int64
	tenant, id string
	members    []string // ids, in the order of their row ids
}

// groupsAfter returns the next groups with members in src, by row id.
func (c *copier) groupsAfter(ctx context.Context, after int64) ([]*groupMembers, error) {
	rows, err := c.tx.QueryContext(ctx, c.src.flavor.rebind(`SELECT g.rid, g.tenant, g.id, x.id FROM resources g
		JOIN members m ON m.group_rid = g.rid JOIN resources x ON x.rid = m.member_rid
		WHERE g.rid IN (SELECT DISTINCT group_rid FROM members WHERE group_rid > ? ORDER BY group_rid LIMIT ?)
		ORDER BY g.rid, x.rid`), after, copyBatch/10)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*groupMembers
	for rows.Next() {
		var rid int64
		var tenant, id, member string
		if err := rows.Scan(&rid, &tenant, &id, &member); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].rid != rid {
			out = append(out, &groupMembers{rid: rid, tenant: tenant, id: id})
		}
		g := out[len(out)-1]
		g.members = append(g.members, member)
	}
	return out, rows.Err()
}

// setMembers makes a group's members exactly the given ones, touching
// only the memberships that differ.
func (db *DB) setMembers(ctx context.Context, tenant, groupID string, members []string) error {
	return db.exec(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var grid int64
		if err := db.txQueryRow(ctx, tx, `SELECT rid FROM resources WHERE id = ? AND tenant = ?`, groupID, tenant).Scan(&grid); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, db.flavor.rebind(`SELECT x.id FROM members m JOIN resources x ON x.rid = m.member_rid WHERE m.group_rid = ?`), grid)
		if err != nil {
			return err
		}
		have := map[string]bool{}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			have[id] = true
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		var add []string
		for _, id := range members {
			if !have[id] {
				add = append(add, id)
			}
			delete(have, id)
		}
		ch := &store.MemberChange{Add: add}
		for id := range have {
			ch.Remove = append(ch.Remove, id)
		}
		_, err = db.changeMembers(ctx, tx, tenant, grid, ch)
		return err
	})
}
