package server

import (
	"context"
	"crypto/rand"
	"errors"
	"time"

	"github.com/scimd/scimd/internal/auth"
	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim/schema"
)

// AdminUserName is the user name of a tenant's bootstrap administrator.
const AdminUserName = "admin"

// AdminGroupName is the display name of the group that gives the bootstrap
// administrator every scope.
const AdminGroupName = "Administrators"

// ErrAdminExists means a tenant already has its bootstrap administrator.
var ErrAdminExists = errors.New("the administrator exists already")

// Bootstrap creates a tenant's administrator — the user admin, in the
// group Administrators holding every scope of reg (Scopes) — in one
// transaction, creating the tenant too unless it is the default one. An
// empty password generates a strong one, which is returned so that it can
// be shown once. It returns ErrAdminExists (or store.ErrTenantExists) when
// there is nothing to do.
func Bootstrap(ctx context.Context, st store.Store, reg *schema.Registry, h *auth.Hasher, tenant, password string, now time.Time) (string, error) {
	if password == "" {
		password = rand.Text()
	}
	hash, err := h.Hash(ctx, password)
	if err != nil {
		return "", err
	}
	now = now.UTC()
	user := &store.Resource{Type: schema.UserType, ID: newID(), Created: now, LastModified: now,
		Doc: map[string]any{"userName": AdminUserName, "active": true}}
	all := Scopes(reg)
	if len(all) == 0 {
		return "", errors.New("server: the registry has no scopes to give the administrator")
	}
	scopes := make([]any, len(all))
	for i, sc := range all {
		scopes[i] = sc
	}
	group := &store.Resource{Type: schema.GroupType, ID: newID(), Created: now, LastModified: now,
		Doc: map[string]any{"displayName": AdminGroupName, schema.AuthorizationSchema: map[string]any{"scopes": scopes}}}
	err = st.Bootstrap(ctx, tenant, user, hash, group)
	if errors.Is(err, store.ErrConflict) {
		return "", ErrAdminExists
	}
	return password, err
}
