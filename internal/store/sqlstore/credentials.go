package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/scimd/scimd/internal/store"
)

// CreateClient stores an OAuth client.
func (db *DB) CreateClient(ctx context.Context, tenant string, c *store.Client) error {
	return db.exec(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := db.txExec(ctx, tx, (`INSERT INTO oauth_clients (tenant, client_id, name, secret_hash, scopes, profile, created)
			VALUES (?, ?, ?, ?, ?, ?, ?)`), tenant, c.ID, c.Name, c.SecretHash, strings.Join(c.Scopes, " "), c.Profile, c.Created.UnixNano())
		if db.flavor.isUnique(err) {
			return store.ErrExists
		}
		return err
	})
}

// Client returns an OAuth client.
func (db *DB) Client(ctx context.Context, tenant, id string) (*store.Client, error) {
	if !storable(tenant, id) {
		return nil, store.ErrNotFound
	}
	c := &store.Client{ID: id}
	var scopes string
	var created int64
	err := db.queryRow(ctx, `SELECT name, secret_hash, scopes, profile, created FROM oauth_clients WHERE tenant = ? AND client_id = ?`,
		tenant, id).Scan(&c.Name, &c.SecretHash, &scopes, &c.Profile, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	c.Scopes, c.Created = strings.Fields(scopes), time.Unix(0, created).UTC()
	return c, err
}

// CreateToken stores an API token.
func (db *DB) CreateToken(ctx context.Context, tenant string, t *store.Token) error {
	return db.exec(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := db.txExec(ctx, tx, (`INSERT INTO api_tokens (id, tenant, hash, name, scopes, profile, created, expires)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), t.ID, tenant, t.Hash, t.Name, strings.Join(t.Scopes, " "), t.Profile,
			t.Created.UnixNano(), unixNanoOrZero(t.Expires))
		if db.flavor.isUnique(err) {
			return store.ErrExists
		}
		return err
	})
}

func unixNanoOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

const tokenColumns = `id, hash, name, scopes, profile, created, expires, revoked`

func scanToken(sc interface{ Scan(...any) error }, extra ...any) (*store.Token, error) {
	t := &store.Token{}
	var scopes string
	var created, expires int64
	err := sc.Scan(append([]any{&t.ID, &t.Hash, &t.Name, &scopes, &t.Profile, &created, &expires, &t.Revoked}, extra...)...)
	if err != nil {
		return nil, err
	}
	t.Scopes, t.Created = strings.Fields(scopes), time.Unix(0, created).UTC()
	if expires != 0 {
		t.Expires = time.Unix(0, expires).UTC()
	}
	return t, nil
}

// TokenByHash returns a token by the hash of its secret.
func (db *DB) TokenByHash(ctx context.Context, hash []byte) (string, *store.Token, error) {
	var tenant string
	t, err := scanToken(db.queryRow(ctx, `SELECT `+tokenColumns+`, tenant FROM api_tokens WHERE hash = ?`, hash), &tenant)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, store.ErrNotFound
	}
	return tenant, t, err
}

// Tokens lists a tenant's tokens.
func (db *DB) Tokens(ctx context.Context, tenant string) ([]*store.Token, error) {
	rows, err := db.read.QueryContext(ctx, db.flavor.rebind(`SELECT `+tokenColumns+` FROM api_tokens WHERE tenant = ? ORDER BY created, id`), tenant)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*store.Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken marks a token revoked.
func (db *DB) RevokeToken(ctx context.Context, tenant, id string) error {
	if !storable(tenant, id) {
		return store.ErrNotFound
	}
	return db.exec(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := db.txExec(ctx, tx, (`UPDATE api_tokens SET revoked = 1 WHERE tenant = ? AND id = ?`), tenant, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(store.ErrNotFound, err)
		}
		return nil
	})
}

// SigningKeys returns a tenant's signing keys, newest first.
func (db *DB) SigningKeys(ctx context.Context, tenant string) ([]*store.SigningKey, error) {
	rows, err := db.read.QueryContext(ctx, db.flavor.rebind(`SELECT kid, alg, private, created FROM signing_keys WHERE tenant = ? ORDER BY created DESC, kid`), tenant)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*store.SigningKey{}
	for rows.Next() {
		k := &store.SigningKey{}
		var created int64
		if err := rows.Scan(&k.ID, &k.Alg, &k.Private, &created); err != nil {
			return nil, err
		}
		k.Created = time.Unix(0, created).UTC()
		out = append(out, k)
	}
	return out, rows.Err()
}

// AddSigningKey stores a signing key.
func (db *DB) AddSigningKey(ctx context.Context, tenant string, k *store.SigningKey) error {
	return db.exec(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := db.txExec(ctx, tx, (`INSERT INTO signing_keys (kid, tenant, alg, private, created) VALUES (?, ?, ?, ?, ?)`),
			k.ID, tenant, k.Alg, k.Private, k.Created.UnixNano())
		if db.flavor.isUnique(err) {
			return store.ErrExists
		}
		return err
	})
}
