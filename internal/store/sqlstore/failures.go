package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"time"

	"github.com/scimd/scimd/internal/store"
)

// failureKey is the row key of an account's login attempts: a digest, so
// that any string a client sends as a user name fits.
func failureKey(tenant, key string) string {
	h := sha256.Sum256([]byte(tenant + "\x00" + key))
	return hex.EncodeToString(h[:])
}

// CountLoginAttempts counts an attempt under each key, each in one
// statement that concurrent attempts on any number of processes add up
// in. Ended windows are removed in the same transaction, at most once a
// window by each process.
func (db *DB) CountLoginAttempts(ctx context.Context, tenant string, keys []string, now time.Time, window time.Duration) ([]store.LoginCount, error) {
	expired := now.Add(-window).UnixNano()
	purge := db.lastPurge.Load() <= expired
	out := make([]store.LoginCount, len(keys))
	err := db.exec(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for i, k := range keys {
			var start int64
			err := db.txQueryRow(ctx, tx, `INSERT INTO login_failures (key, n, start) VALUES (?, 1, ?)
				ON CONFLICT (key) DO UPDATE SET
					n = CASE WHEN login_failures.start > ? THEN login_failures.n + 1 ELSE 1 END,
					start = CASE WHEN login_failures.start > ? THEN login_failures.start ELSE excluded.start END
				RETURNING n, start`,
				failureKey(tenant, k), now.UnixNano(), expired, expired).Scan(&out[i].N, &start)
			if err != nil {
				return err
			}
			out[i].Since = time.Unix(0, start).UTC()
		}
		if purge {
			_, err := db.txExec(ctx, tx, `DELETE FROM login_failures WHERE start <= ?`, expired)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if purge {
		db.lastPurge.Store(now.UnixNano())
	}
	return out, nil
}

// ClearLoginAttempts forgets the attempts counted under keys.
func (db *DB) ClearLoginAttempts(ctx context.Context, tenant string, keys ...string) error {
	return db.exec(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, k := range keys {
			if _, err := db.txExec(ctx, tx, `DELETE FROM login_failures WHERE key = ?`, failureKey(tenant, k)); err != nil {
				return err
			}
		}
		return nil
	})
}
