package sqlstore

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
)

// Count is how many rows of one kind a database holds for a tenant.
type Count struct {
	Tenant string // "" for the default tenant, and for what belongs to none
	// What is a resource type, "memberships", "OAuth clients", "API
	// tokens" or "signing keys"; "tenants" or "secrets" of no tenant.
	What string
	N    int
}

// Counts returns how much of what Copy copies the database holds, by
// tenant and kind, ordered: the two databases of a copy have equal counts.
func (db *DB) Counts(ctx context.Context) ([]Count, error) {
	var out []Count
	for _, q := range []string{
		`SELECT '', 'tenants', count(*) FROM tenants`,
		`SELECT tenant, rtype, count(*) FROM resources GROUP BY tenant, rtype`,
		`SELECT g.tenant, 'memberships', count(*) FROM members m JOIN resources g ON g.rid = m.group_rid GROUP BY g.tenant`,
		`SELECT tenant, 'OAuth clients', count(*) FROM oauth_clients GROUP BY tenant`,
		`SELECT tenant, 'API tokens', count(*) FROM api_tokens GROUP BY tenant`,
		`SELECT tenant, 'signing keys', count(*) FROM signing_keys GROUP BY tenant`,
		`SELECT '', 'secrets', count(*) FROM secrets WHERE name NOT IN ('` + strings.Join(uncopiedSecrets, "', '") + `')`,
	} {
		rows, err := db.read.QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var c Count
			if err := rows.Scan(&c.Tenant, &c.What, &c.N); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, c)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b Count) int {
		return cmp.Or(cmp.Compare(a.Tenant, b.Tenant), cmp.Compare(a.What, b.What))
	})
	return out, nil
}
