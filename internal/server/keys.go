package server

import (
	"context"
	"crypto"
	"maps"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"

	"github.com/scimd/scimd/internal/auth"
	"github.com/scimd/scimd/internal/store"
)

const (
	// keyRotation is how long a signing key signs new tokens.
	keyRotation = 30 * 24 * time.Hour
	// keyReload bounds how often one unknown kid makes a tenant's keys
	// reload.
	keyReload = 5 * time.Second
	// maxLookups bounds the unknown kids remembered; past it, unknown kids
	// make a tenant's keys reload at most every keyReload.
	maxLookups = 1024
	// clockSkew is how far apart the clocks of scimd processes sharing a
	// database may be.
	clockSkew = time.Minute
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
	// lookups holds when an unknown kid of a tenant last made its keys
	// reload (see mayReload).
	lookups map[string]time.Time
}

type tenantKeys struct {
	keys   []*auth.Key // newest first
	made   []time.Time
	loaded time.Time
}

func newKeyring(st store.Store, now func() time.Time, tokenTTL time.Duration) *keyring {
	return &keyring{st: st, now: now, tokenTTL: tokenTTL, tenants: map[string]*tenantKeys{}, lookups: map[string]time.Time{}}
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
// when the tenant has none younger than keyRotation. Of several young keys
// it takes the oldest: when replicas sharing the database each make a key
// at once, at least one of them sees both, and all then sign with the
// older, which all know.
func (k *keyring) signing(ctx context.Context, tenant string) (*auth.Key, error) {
	if key := k.cached(tenant).signer(k.now()); key != nil {
		return key, nil
	}
	tk, err := k.load(ctx, tenant)
	if err != nil {
		return nil, err
	}
	if key := tk.signer(k.now()); key != nil {
		return key, nil
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
	return tk.signer(k.now()), nil
}

// signer returns the oldest key younger than keyRotation, or nil.
func (tk *tenantKeys) signer(now time.Time) *auth.Key {
	if tk == nil {
		return nil
	}
	for i := len(tk.keys) - 1; i >= 0; i-- { // newest first
		if now.Sub(tk.made[i]) <= keyRotation {
			return tk.keys[i]
		}
	}
	return nil
}

// verifier returns the public key of a tenant's kid, reloading the keys
// when the kid is unknown (see mayReload).
func (k *keyring) verifier(ctx context.Context, tenant string) func(kid string) crypto.PublicKey {
	return func(kid string) crypto.PublicKey {
		tk := k.cached(tenant)
		if key := find(tk, kid); key != nil {
			return key.PublicKeyOf()
		}
		if !k.mayReload(tenant, kid) {
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

// mayReload reports whether an unknown kid may make a tenant's keys reload
// now, and notes that it does. A key that another scimd sharing the
// database made lately has a UUIDv7 id made since this one loaded the
// keys, give or take clockSkew: it is found at once. Any other kid is made
// up, and refused without a reload. Each kid reloads at most every
// keyReload, and once maxLookups kids are remembered the tenant's keys
// reload at most every keyReload: made-up kids of the right shape can't
// make scimd read the database more than a few hundred times a second.
func (k *keyring) mayReload(tenant, kid string) bool {
	id, err := uuid.Parse(kid)
	if err != nil || id.Version() != 7 {
		return false
	}
	sec, nsec := id.Time().UnixTime()
	made := time.Unix(sec, nsec)
	now := k.now()
	k.mu.Lock()
	defer k.mu.Unlock()
	tk := k.tenants[tenant]
	if made.After(now.Add(clockSkew)) || (tk != nil && made.Before(tk.loaded.Add(-clockSkew))) {
		return false
	}
	name := tenant + "\x00" + id.String()
	if t, ok := k.lookups[name]; ok && now.Sub(t) < keyReload {
		return false
	}
	if len(k.lookups) >= maxLookups {
		maps.DeleteFunc(k.lookups, func(_ string, t time.Time) bool { return now.Sub(t) >= keyReload })
	}
	if len(k.lookups) >= maxLookups { // a flood of made-up kids
		return tk == nil || now.Sub(tk.loaded) >= keyReload
	}
	k.lookups[name] = now
	return true
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
