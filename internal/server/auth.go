package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/scimd/scimd/internal/auth"
	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/schema"
)

// principal is an authenticated caller.
type principal struct {
	tenant   string
	userID   string // "" when no user stands behind the credential
	userName string
	scopes   map[string]bool
}

func (p *principal) has(scope string) bool { return p.scopes[scope] }

func (p *principal) name() string {
	if p.userName != "" {
		return "user " + p.userName
	}
	return "this credential"
}

// challenge is the WWW-Authenticate value of a 401 (RFC 7235 §4.1).
func (s *Server) challenge(r *http.Request) string {
	return `Basic realm="scimd", charset="UTF-8"`
}

var errUnauthenticated = &scim.Error{Status: http.StatusUnauthorized, Detail: "authentication required: send HTTP Basic credentials"}

// authenticate identifies the caller of a request in a tenant.
func (s *Server) authenticate(r *http.Request, tenant string) (*principal, error) {
	name, password, ok := r.BasicAuth()
	if !ok {
		return nil, errUnauthenticated
	}
	return s.basicLogin(r.Context(), tenant, name, password)
}

var errBadCredentials = &scim.Error{Status: http.StatusUnauthorized, Detail: "the user name or password is wrong"}

// login is a verified Basic credential as the cache keeps it: the
// principal, and the stored hash it was verified against.
type login struct {
	who      *principal
	userName string // as looked up
	hash     string
}

// basicLogin verifies a user name and password. Verified credentials are
// cached; an entry in use is revalidated in the background before it
// expires, by checking that the stored hash is the one the password was
// verified against (no hash computation), and concurrent first logins with
// the same credentials compute the hash once.
func (s *Server) basicLogin(ctx context.Context, tenant, name, password string) (*principal, error) {
	if name == "" {
		return nil, errBadCredentials
	}
	key := s.creds.Key("basic", tenant, name, password)
	if v, refresh, ok := s.creds.Get(key); ok {
		l := v.(*login)
		if refresh {
			go s.logins.Do("refresh\x00"+string(key[:]), func() (any, error) { return nil, s.revalidate(key, l) })
		}
		return l.who, nil
	}
	v, err, _ := s.logins.Do(string(key[:]), func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		return s.verify(ctx, key, tenant, loginName(tenant, name), password)
	})
	if err != nil {
		return nil, err
	}
	return v.(*principal), nil
}

// loginName is the userName a Basic user name stands for. On a tenant
// path, NAME@DOMAIN names the user NAME of tenant DOMAIN (SPEC §1); user
// names may themselves contain "@".
func loginName(tenant, name string) string {
	if tenant != store.DefaultTenant {
		if n := len(name) - len(tenant) - 1; n > 0 && name[n] == '@' && strings.EqualFold(name[n+1:], tenant) {
			return name[:n]
		}
	}
	return name
}

// verify checks a password against the stored hash and caches the result.
// An unknown user costs one hash computation, like a wrong password, and
// gets the same answer.
func (s *Server) verify(ctx context.Context, key [32]byte, tenant, userName, password string) (*principal, error) {
	cred, err := s.store.Credential(ctx, tenant, userName)
	if errors.Is(err, store.ErrNotFound) || (err == nil && cred.PasswordHash == "") {
		s.hasher.Burn(ctx, password)
		return nil, errBadCredentials
	}
	if err != nil {
		return nil, err
	}
	if err := s.hasher.Verify(ctx, cred.PasswordHash, password); err != nil {
		if errors.Is(err, auth.ErrMismatch) {
			return nil, errBadCredentials
		}
		return nil, err
	}
	p, err := s.userPrincipal(ctx, tenant, cred)
	if err != nil {
		return nil, err
	}
	s.creds.Put(key, subject(tenant, cred.ID), &login{who: p, userName: userName, hash: cred.PasswordHash})
	return p, nil
}

// revalidate renews a cached login if the user still has the password hash
// it was verified against, reloading its scopes; otherwise it drops it.
func (s *Server) revalidate(key [32]byte, l *login) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cred, err := s.store.Credential(ctx, l.who.tenant, l.userName)
	if err != nil || cred.ID != l.who.userID || cred.PasswordHash != l.hash {
		s.creds.Forget(subject(l.who.tenant, l.who.userID))
		return err
	}
	p, err := s.userPrincipal(ctx, l.who.tenant, cred)
	if err != nil {
		return err
	}
	s.creds.Put(key, subject(p.tenant, p.userID), &login{who: p, userName: l.userName, hash: l.hash})
	return nil
}

// userPrincipal builds the principal of a user: its scopes are those of
// the groups it belongs to, directly or through nested groups.
func (s *Server) userPrincipal(ctx context.Context, tenant string, cred *store.Credential) (*principal, error) {
	scopes, err := s.store.GroupValues(ctx, tenant, cred.ID, schema.AuthorizationScopes)
	if err != nil {
		return nil, err
	}
	p := &principal{tenant: tenant, userID: cred.ID, userName: cred.UserName, scopes: make(map[string]bool, len(scopes))}
	for _, sc := range scopes {
		p.scopes[sc] = true
	}
	return p, nil
}

// subject names a user in the credentials cache.
func subject(tenant, id string) string { return tenant + "/" + id }
