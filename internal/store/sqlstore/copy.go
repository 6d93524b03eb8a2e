package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// copyBatch is how many resources Copy reads, and writes in one
// transaction, at a time.
const copyBatch = 500

// Secrets that belong to one database and are not copied: the database's
// own identity, the identity of the database it is a copy of, and the
// newest modification time of the last copy's source.
const (
	secretDatabaseID  = "database-id"
	secretCopiedFrom  = "copied-from"
	secretCopiedUntil = "copied-until"
)

// secretCursor is the key of pagination cursors, which is not copied
// either: cursors hold row ids, which a copy renumbers, so cursors issued
// by the source must fail loudly on the target rather than skip or repeat
// resources.
const secretCursor = "cursor"

// uncopiedSecrets are the secrets Copy leaves behind.
var uncopiedSecrets = []string{secretDatabaseID, secretCopiedFrom, secretCopiedUntil, secretCursor}

// CopyOptions configure Copy.
type CopyOptions struct {
	// Progress, if not nil, is called as the copy advances.
	Progress func(CopyProgress)
	// Force copies into a target that has resources written since the
	// last copy (a scimd served it), overwriting or deleting them.
	Force bool
}

// CopyProgress reports how far Copy has got in one of its phases.
type CopyProgress struct {
	Phase       string // "resources", "removing" or "memberships"
	Done, Total int    // removing: the total is what was removed so far
}

// Copy makes dst hold what src holds: every tenant, every resource with
// its version, times and password hash, every membership, OAuth client,
// API token, signing key and shared secret, but for the key of pagination
// cursors (they hold row ids, which the copy renumbers: a source's cursors
// are refused by the target). Failed-login counts, which expire within
// minutes, are not copied.
//
// It reads src in one snapshot (a live source is copied as it was when
// Copy began) and writes dst a batch at a time. It can be run again: what
// dst holds already at the same version is skipped, what changed is
// rewritten, and resources deleted from src since are deleted from dst.
// So a first copy of a live source can be followed by a short second one
// after the source stops taking writes. A dst that holds resources which
// did not come from src (a scimd that started on it created its own
// administrator, say) is refused, and so is one in which resources were
// written since the last copy (a scimd serving it after a switch) unless
// opts.Force: the copy would overwrite or delete them.
//
// Both databases must have been opened with the same schema registry.
func Copy(ctx context.Context, dst, src *DB, opts CopyOptions) error {
	// Copy writes resources through paths of its own; dst's cached ones
	// are all outdated when it returns. (Nothing reads them meanwhile.)
	defer dst.cache.wroteAll()
	progress := opts.Progress
	if progress == nil {
		progress = func(CopyProgress) {}
	}
	origin, err := src.Secret(ctx, secretDatabaseID)
	if err != nil {
		return err
	}
	if err := dst.checkCopyOrigin(ctx, origin, opts.Force); err != nil {
		return err
	}
	tx, err := src.read.BeginTx(ctx, src.flavor.snapshot)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var until int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(modified), 0) FROM resources`).Scan(&until); err != nil {
		return err
	}
	// Marked before anything is written, so that a copy that stops part
	// way can be run again.
	err = dst.exec(ctx, func(ctx context.Context, wtx *sql.Tx) error {
		if err := dst.putSecret(ctx, wtx, secretCopiedFrom, origin); err != nil {
			return err
		}
		return dst.putSecret(ctx, wtx, secretCopiedUntil, []byte(strconv.FormatInt(until, 10)))
	})
	if err != nil {
		return err
	}
	c := &copier{dst: dst, src: src, tx: tx, progress: progress}
	// prune comes first: a resource deleted from src frees its unique
	// values (a userName) for the resources that take them in src.
	for _, step := range []func(context.Context) error{c.tenants, c.prune, c.resources, c.memberships, c.credentials, c.secrets} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// checkCopyOrigin refuses to copy into a database holding resources that
// are not from a copy of the database with the given identity, or, unless
// force, resources written since the last copy began.
func (db *DB) checkCopyOrigin(ctx context.Context, origin []byte, force bool) error {
	var from, until []byte
	err := db.queryRow(ctx, `SELECT value FROM secrets WHERE name = ?`, secretCopiedFrom).Scan(&from)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if string(from) != string(origin) {
		var n int
		if err := db.queryRow(ctx, `SELECT count(*) FROM resources`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("sqlstore: the target database holds %d resources that were not copied from the source (did scimd serve run on it? it creates an administrator); copy into a new, empty database", n)
		}
		return nil
	}
	err = db.queryRow(ctx, `SELECT value FROM secrets WHERE name = ?`, secretCopiedUntil).Scan(&until)
	if force || errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	since, err := strconv.ParseInt(string(until), 10, 64)
	if err != nil {
		return fmt.Errorf("sqlstore: the target's %s marker %q is not a time", secretCopiedUntil, until)
	}
	var n int
	if err := db.queryRow(ctx, `SELECT count(*) FROM resources WHERE modified > ?`, since).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("sqlstore: %d resources of the target database were written since the last copy (did scimd serve it?); copying again would overwrite or delete them, and --force does so", n)
	}
	return nil
}

// copier is one run of Copy: src is read through tx, its snapshot.
type copier struct {
	dst, src *DB
	tx       *sql.Tx
	progress func(CopyProgress)
	removed  int
}

func (c *copier) tenants(ctx context.Context) error {
	rows, err := c.tx.QueryContext(ctx, `SELECT domain, created FROM tenants`)
	if err != nil {
		return err
	}
	type tenant struct {
		domain  string
		created int64
	}
	var all []tenant
	for rows.Next() {
		var t tenant
		if err := rows.Scan(&t.domain, &t.created); err != nil {
			rows.Close()
			return err
		}
		all = append(all, t)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	return c.dst.exec(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, t := range all {
			if _, err := c.dst.txExec(ctx, tx, `INSERT INTO tenants (domain, created) VALUES (?, ?) ON CONFLICT (domain) DO NOTHING`, t.domain, t.created); err != nil {
				return err
			}
		}
		return nil
	})
}

// stored is a resource as a database holds it.
type stored struct {
	rid                       int64
	tenant, typ, id           string
	version, created, modTime int64
	data                      []byte
	password                  sql.NullString
}

const storedColumns = `rid, tenant, rtype, id, version, created, modified, data, password`

func scanStored(rows *sql.Rows) ([]*stored, error) {
	defer rows.Close()
	var out []*stored
	for rows.Next() {
		s := &stored{}
		if err := rows.Scan(&s.rid, &s.tenant, &s.typ, &s.id, &s.version, &s.created, &s.modTime, &s.data, &s.password); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (c *copier) count(ctx context.Context, query string) (int, error) {
	var n int
	err := c.tx.QueryRowContext(ctx, query).Scan(&n)
	return n, err
}

// resources copies the resources in the order of their row ids, so that
// members keep their order.
func (c *copier) resources(ctx context.Context) error {
	total, err := c.count(ctx, `SELECT count(*) FROM resources`)
	if err != nil {
		return err
	}
	done := 0
	c.progress(CopyProgress{Phase: "resources", Total: total})
	for after := int64(0); ; {
		rows, err := c.tx.QueryContext(ctx, c.src.flavor.rebind(`SELECT `+storedColumns+` FROM resources WHERE rid > ? ORDER BY rid LIMIT ?`), after, copyBatch)
		if err != nil {
			return err
		}
		batch, err := scanStored(rows)
		if err != nil || len(batch) == 0 {
			return err
		}
		after = batch[len(batch)-1].rid
		if err := c.dst.putResources(ctx, batch); err != nil {
			return err
		}
		done += len(batch)
		c.progress(CopyProgress{Phase: "resources", Done: done, Total: total})
	}
}

// putResources writes a batch of resources, in one transaction, as src
// holds them: inserted, rewritten where they differ, skipped where not.
func (db *DB) putResources(ctx context.Context, batch []*stored) error {
	ids := make([]string, len(batch))
	for i, s := range batch {
		ids[i] = s.id
	}
	return db.exec(ctx, func(ctx context.Context, tx *sql.Tx) error {
		have, err := db.storedByID(ctx, tx, ids)
		if err != nil {
			return err
		}
		for _, s := range batch {
			if err := db.putResource(ctx, tx, s, have[s.id]); err != nil {
				return fmt.Errorf("sqlstore: copying %s %s of tenant %q: %w", s.typ, s.id, s.tenant, err)
			}
		}
		return nil
	})
}

// storedByID returns the resources with the given ids.
func (db *DB) storedByID(ctx context.Context, q querier, ids []string) (map[string]*stored, error) {
	out := map[string]*stored{}
	for start := 0; start < len(ids); start += inChunk {
		chunk := ids[start:min(start+inChunk, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := q.QueryContext(ctx, db.flavor.rebind(`SELECT `+storedColumns+` FROM resources WHERE id IN (`+placeholders(len(chunk))+`)`), args...)
		if err != nil {
			return nil, err
		}
		list, err := scanStored(rows)
		if err != nil {
			return nil, err
		}
		for _, s := range list {
			out[s.id] = s
		}
	}
	return out, nil
}

func (db *DB) putResource(ctx context.Context, tx *sql.Tx, s, have *stored) error {
	if have != nil && (have.tenant != s.tenant || have.typ != s.typ) {
		return fmt.Errorf("the target holds a %s of tenant %q with that id", have.typ, have.tenant)
	}
	if have != nil && have.version == s.version && have.modTime == s.modTime && have.password == s.password && string(have.data) == string(s.data) {
		return nil
	}
	doc, err := decodeDoc(s.data)
	if err != nil {
		return err
	}
	enc, err := db.encodeNew(s.typ, doc)
	if err != nil {
		return err
	}
	if have == nil {
		_, err := db.insertRow(ctx, tx, s.tenant, s.typ, s.id, s.version, time.Unix(0, s.created), time.Unix(0, s.modTime), enc, s.password.String)
		return err
	}
	old, err := db.encodeStored(have)
	if err != nil {
		return err
	}
	if err := db.reindex(ctx, tx, s.tenant, s.typ, have.rid, old.index, enc.index); err != nil {
		return err
	}
	if err := db.retext(ctx, tx, have.rid, old.text, enc.text); err != nil {
		return err
	}
	_, err = db.txExec(ctx, tx, `UPDATE resources SET version = ?, created = ?, modified = ?, display = ?, fdisplay = ?, data = ?, fdata = ?, password = ? WHERE rid = ?`,
		s.version, s.created, s.modTime, enc.display, enc.fdisplay, enc.data, enc.fdata, s.password, have.rid)
	return err
}

func (db *DB) encodeStored(s *stored) (*row, error) {
	doc, err := decodeDoc(s.data)
	if err != nil {
		return nil, err
	}
	return db.encode(s.typ, doc)
}

// prune deletes from dst the resources that src doesn't hold.
func (c *copier) prune(ctx context.Context) error {
	for after := int64(0); ; {
		rows, err := c.dst.read.QueryContext(ctx, c.dst.flavor.rebind(`SELECT `+storedColumns+` FROM resources WHERE rid > ? ORDER BY rid LIMIT ?`), after, copyBatch)
		if err != nil {
			return err
		}
		batch, err := scanStored(rows)
		if err != nil || len(batch) == 0 {
			return err
		}
		after = batch[len(batch)-1].rid
		ids := make([]string, len(batch))
		for i, s := range batch {
			ids[i] = s.id
		}
		in, err := c.src.storedByID(ctx, c.tx, ids)
		if err != nil {
			return err
		}
		gone := slices.DeleteFunc(batch, func(s *stored) bool { return in[s.id] != nil })
		if len(gone) == 0 {
			continue
		}
		err = c.dst.exec(ctx, func(ctx context.Context, tx *sql.Tx) error {
			for _, s := range gone {
				if err := c.dst.remove(ctx, tx, s); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		c.removed += len(gone)
		c.progress(CopyProgress{Phase: "removing", Done: c.removed, Total: c.removed})
	}
}

// remove deletes a resource, its index entries and its memberships,
// leaving the versions of its groups alone (Copy sets them).
func (db *DB) remove(ctx context.Context, tx *sql.Tx, s *stored) error {
	enc, err := db.encodeStored(s)
	if err != nil {
		return err
	}
	if err := db.deleteIndex(ctx, tx, s.tenant, s.typ, s.rid, enc.index); err != nil {
		return err
	}
	if err := db.deleteText(ctx, tx, s.rid, enc.text); err != nil {
		return err
	}
	for _, q := range []string{`DELETE FROM members WHERE member_rid = ?`, `DELETE FROM members WHERE group_rid = ?`, `DELETE FROM resources WHERE rid = ?`} {
		if _, err := db.txExec(ctx, tx, q, s.rid); err != nil {
			return err
		}
	}
	return db.count(ctx, tx, s.tenant, s.typ, -1)
}

// credentials copies the OAuth clients, API tokens and signing keys.
func (c *copier) credentials(ctx context.Context) error {
	for _, t := range []struct{ columns, table, upsert string }{
		{`tenant, client_id, name, secret_hash, scopes, profile, created`, `oauth_clients`,
			`ON CONFLICT (tenant, client_id) DO UPDATE SET name = excluded.name, secret_hash = excluded.secret_hash, scopes = excluded.scopes, profile = excluded.profile, created = excluded.created`},
		{`id, tenant, hash, name, scopes, profile, created, expires, revoked`, `api_tokens`,
			`ON CONFLICT (id) DO UPDATE SET revoked = excluded.revoked, expires = excluded.expires, name = excluded.name`},
		{`kid, tenant, alg, private, created`, `signing_keys`, `ON CONFLICT (kid) DO NOTHING`},
	} {
		if err := c.table(ctx, t.columns, t.table, t.upsert, nil); err != nil {
			return err
		}
	}
	return nil
}

// secrets copies the shared secrets, but uncopiedSecrets.
func (c *copier) secrets(ctx context.Context) error {
	return c.table(ctx, `name, value, created`, `secrets`, `ON CONFLICT (name) DO UPDATE SET value = excluded.value, created = excluded.created`,
		func(values []any) bool {
			name, _ := values[0].(string)
			return !slices.Contains(uncopiedSecrets, name)
		})
}

// table copies the rows of a small table (credentials, keys, secrets) in
// one transaction, upserting each. keep, if not nil, selects the rows.
func (c *copier) table(ctx context.Context, columns, table, upsert string, keep func([]any) bool) error {
	rows, err := c.tx.QueryContext(ctx, `SELECT `+columns+` FROM `+table)
	if err != nil {
		return err
	}
	n := len(strings.Split(columns, ","))
	var all [][]any
	for rows.Next() {
		values := make([]any, n)
		ptrs := make([]any, n)
		for i := range values {
			ptrs[i] = &values[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return err
		}
		for i, v := range values {
			if b, ok := v.([]byte); ok {
				values[i] = slices.Clone(b) // the driver may reuse it
			}
		}
		if keep == nil || keep(values) {
			all = append(all, values)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	return c.dst.exec(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, values := range all {
			if _, err := c.dst.txExec(ctx, tx, `INSERT INTO `+table+` (`+columns+`) VALUES (`+placeholders(n)+`) `+upsert, values...); err != nil {
				return fmt.Errorf("sqlstore: copying %s: %w", table, err)
			}
		}
		return nil
	})
}

// putSecret stores a named secret, replacing any.
func (db *DB) putSecret(ctx context.Context, tx *sql.Tx, name string, value []byte) error {
	_, err := db.txExec(ctx, tx, `INSERT INTO secrets (name, value, created) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value, db.now().UnixNano())
	return err
}
