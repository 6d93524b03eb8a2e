package server

import (
	"context"
	"crypto"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/scimd/scimd/internal/auth"
	"github.com/scimd/scimd/internal/store"
)

const (
	// keyRotation is how long a signing key signs new tokens.
	keyRotation = 30 * 24 * time.Hour
	// keyReload bounds how often an unknown "kid" makes the keys reload
	// (another scimd may have added a key).
	keyReload = 5 * time.Second
)

// keyring holds each tenant's signing keys, loaded from the store. A key
// signs for keyRotation, then a new one is made; keys verify tokens as
// long as tokens they signed can live.
type keyring struct {
	st       store.Store
	now      func() time.Time
	tokenTTL time.Duration

	mu      sync.Mutex
	tenants map[string]*tenantKeys
}

type tenantKeys struct {
	keys   []*auth.Key // newest first
	made   []time.Time
	loaded time.Time
}

func newKeyring(st store.Store, now func() time.Time, tokenTTL time.Duration) *keyring {
	return &keyring{st: st, now: now, tokenTTL: tokenTTL, tenants: map[string]*tenantKeys{}}
}

// load reads a tenant's keys from the store.
func (k *keyring) load(ctx context.Context, tenant string) (*tenantKeys, error) {
	stored, err := k.st.SigningKeys(ctx, tenant)
	if err != nil {
		return nil, err
	}
	tk := &tenantKeys{loaded: k.now()}
	for _, s := range stored {
		if k.now().Sub(s.Created) > keyRotation+k.tokenTTL+auth.Leeway {
			continue // nothing it signed is still valid
		}
		key, err := auth.ParseKey(s.ID, s.Private)
		if err != nil {
			return nil, err
		}
		tk.keys, tk.made = append(tk.keys, key), append(tk.made, s.Created)
	}
	k.mu.Lock()
	k.tenants[tenant] = tk
	k.mu.Unlock()
	return tk, nil
}

func (k *keyring) cached(tenant string) *tenantKeys {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.tenants[tenant]
}

// signing returns the key to sign a tenant's new tokens with, making one
// when the tenant has none younger than keyRotation.
func (k *keyring) signing(ctx context.Context, tenant string) (*auth.Key, error) {
	tk := k.cached(tenant)
	if tk == nil || len(tk.keys) == 0 || k.now().Sub(tk.made[0]) > keyRotation {
		var err error
		if tk, err = k.load(ctx, tenant); err != nil {
			return nil, err
		}
	}
	if len(tk.keys) > 0 && k.now().Sub(tk.made[0]) <= keyRotation {
		return tk.keys[0], nil
	}
	der, err := auth.NewSigningKey()
	if err != nil {
		return nil, err
	}
	if err := k.st.AddSigningKey(ctx, tenant, &store.SigningKey{ID: newID(), Alg: string(auth.KeyAlg), Private: der, Created: k.now()}); err != nil {
		return nil, err
	}
	if tk, err = k.load(ctx, tenant); err != nil {
		return nil, err
	}
	return tk.keys[0], nil
}

// verifier returns the public key of a tenant's kid, reloading the keys
// (at most every keyReload) when the kid is unknown.
func (k *keyring) verifier(ctx context.Context, tenant string) func(kid string) crypto.PublicKey {
	return func(kid string) crypto.PublicKey {
		tk := k.cached(tenant)
		if key := find(tk, kid); key != nil {
			return key.PublicKeyOf()
		}
		if tk != nil && k.now().Sub(tk.loaded) < keyReload {
			return nil
		}
		tk, err := k.load(ctx, tenant)
		if err != nil {
			return nil
		}
		if key := find(tk, kid); key != nil {
			return key.PublicKeyOf()
		}
		return nil
	}
}

func find(tk *tenantKeys, kid string) *auth.Key {
	if tk == nil {
		return nil
	}
	for _, key := range tk.keys {
		if key.ID == kid {
			return key
		}
	}
	return nil
}

// jwks returns a tenant's public keys (RFC 7517 §5).
func (k *keyring) jwks(ctx context.Context, tenant string) (jose.JSONWebKeySet, error) {
	tk, err := k.load(ctx, tenant)
	if err != nil {
		return jose.JSONWebKeySet{}, err
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, key := range tk.keys {
		set.Keys = append(set.Keys, key.Public())
	}
	return set, nil
}
