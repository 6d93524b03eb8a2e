package server

import (
	"errors"
	"net/http"
	"strings"

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
	return s.basicLogin(r, tenant, name, password)
}

var errBadCredentials = &scim.Error{Status: http.StatusUnauthorized, Detail: "the user name or password is wrong"}

// basicLogin verifies a user name and password, consulting the cache of
// verified credentials first. On a tenant path, NAME@DOMAIN names the user
// NAME of tenant DOMAIN (SPEC §1); user names may themselves contain "@".
// An unknown user costs one hash computation, like a wrong password, and
// gets the same answer.
func (s *Server) basicLogin(r *http.Request, tenant, name, password string) (*principal, error) {
	if name == "" {
		return nil, errBadCredentials
	}
	key := s.creds.Key("basic", tenant, name, password)
	if p, ok := s.creds.Get(key); ok {
		return p.(*principal), nil
	}
	userName := name
	if tenant != store.DefaultTenant {
		if n := len(name) - len(tenant) - 1; n > 0 && name[n] == '@' && strings.EqualFold(name[n+1:], tenant) {
			userName = name[:n]
		}
	}
	ctx := r.Context()
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
	scopes, err := s.store.GroupValues(ctx, tenant, cred.ID, schema.AuthorizationScopes)
	if err != nil {
		return nil, err
	}
	p := &principal{tenant: tenant, userID: cred.ID, userName: cred.UserName, scopes: map[string]bool{}}
	for _, sc := range scopes {
		p.scopes[sc] = true
	}
	s.creds.Put(key, subject(tenant, cred.ID), p)
	return p, nil
}

// subject names a user in the credentials cache.
func subject(tenant, id string) string { return tenant + "/" + id }
