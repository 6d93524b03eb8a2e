package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
)

// Secret returns the named random key, creating it (32 random bytes) the
// first time any scimd using the database asks for it.
func (db *DB) Secret(ctx context.Context, name string) ([]byte, error) {
	var v []byte
	err := db.read.QueryRowContext(ctx, db.flavor.rebind(`SELECT value FROM secrets WHERE name = ?`), name).Scan(&v)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return v, err
	}
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	err = db.exec(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := db.txExec(ctx, tx, (`INSERT INTO secrets (name, value, created) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`),
			name, fresh, db.now().UnixNano())
		return err
	})
	if err != nil {
		return nil, err
	}
	// Another process may have won the race: read what was stored.
	err = db.read.QueryRowContext(ctx, db.flavor.rebind(`SELECT value FROM secrets WHERE name = ?`), name).Scan(&v)
	return v, err
}
