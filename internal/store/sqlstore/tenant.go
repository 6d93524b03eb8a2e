package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim/schema"
)

// CreateTenant creates a tenant, or returns store.ErrTenantExists.
func (db *DB) CreateTenant(ctx context.Context, domain string) error {
	return db.exec(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return db.insertTenant(ctx, tx, domain)
	})
}

func (db *DB) insertTenant(ctx context.Context, tx *sql.Tx, domain string) error {
	_, err := db.txExec(ctx, tx, (`INSERT INTO tenants (domain, created) VALUES (?, ?)`), domain, db.now().UnixNano())
	if db.flavor.isUnique(err) {
		return store.ErrTenantExists
	}
	return err
}

// TenantExists reports whether domain is a tenant.
func (db *DB) TenantExists(ctx context.Context, domain string) (bool, error) {
	if !storable(domain) {
		return false, nil
	}
	var one int
	err := db.queryRow(ctx, `SELECT 1 FROM tenants WHERE domain = ?`, domain).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Credential returns the password credential of a user, found by userName
// case-insensitively through the userName index.
func (db *DB) Credential(ctx context.Context, tenant, userName string) (*store.Credential, error) {
	if !storable(tenant, userName) {
		return nil, store.ErrNotFound
	}
	var c store.Credential
	var data []byte
	err := db.queryRow(ctx, `SELECT r.id, r.data, coalesce(r.password, '') FROM attr_index a JOIN resources r ON r.rid = a.rid
		WHERE a.tenant = ? AND a.rtype = 'User' AND a.attr = 'userName' AND a.val = ?`, tenant, db.userNameKey(userName)).Scan(&c.ID, &data, &c.PasswordHash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	doc, err := decodeDoc(data)
	if err != nil {
		return nil, err
	}
	c.UserName, _ = doc["userName"].(string)
	return &c, nil
}

// userNameKey returns the form in which the userName index holds userName.
func (db *DB) userNameKey(userName string) string {
	if rt := db.reg.ResourceType(schema.UserType); rt != nil {
		if p, ok := rt.Lookup("", "userName", ""); ok {
			return schema.SearchString(p.Attr, userName)
		}
	}
	return userName
}
