package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"sync"
	"time"
)

// Cache remembers verified credentials for a short time so that Basic
// authentication doesn't run a full password hash on every request. Entries
// are keyed by a keyed hash (HMAC-SHA-256 under a per-process random key) of
// the tenant, user name and password: the cache holds no password, and its
// keys are useless outside the process. Entries of a subject are dropped at
// once when its password changes or it is deleted (Forget).
type Cache struct {
	ttl time.Duration
	now func() time.Time
	key [32]byte

	mu      sync.Mutex
	entries map[[32]byte]cacheEntry
	bySubj  map[string]map[[32]byte]struct{}
}

type cacheEntry struct {
	subject string // tenant + "/" + user id
	value   any
	expires time.Time
}

// maxEntries bounds the cache; when full, expired entries are swept and, if
// that frees nothing, the cache is cleared.
const maxEntries = 100_000

// NewCache returns a cache whose entries live for ttl.
func NewCache(ttl time.Duration, now func() time.Time) *Cache {
	c := &Cache{ttl: ttl, now: now, entries: map[[32]byte]cacheEntry{}, bySubj: map[string]map[[32]byte]struct{}{}}
	if _, err := rand.Read(c.key[:]); err != nil {
		panic("auth: no randomness: " + err.Error())
	}
	return c
}

// Key derives the cache key of a credential.
func (c *Cache) Key(parts ...string) [32]byte {
	m := hmac.New(sha256.New, c.key[:])
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	var k [32]byte
	m.Sum(k[:0])
	return k
}

// Get returns the value cached under k, if it hasn't expired. refresh
// reports that the entry has lived half its time: the caller should
// revalidate it (cheaply, without a password hash) and Put it again, so
// that an entry in use never expires under load.
func (c *Cache) Get(k [32]byte) (value any, refresh, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	now := c.now()
	if !ok || !now.Before(e.expires) {
		return nil, false, false
	}
	return e.value, now.After(e.expires.Add(-c.ttl / 2)), true
}

// Put caches value under k for the subject it authenticates.
func (c *Cache) Put(k [32]byte, subject string, value any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxEntries {
		c.sweep()
	}
	c.entries[k] = cacheEntry{subject: subject, value: value, expires: c.now().Add(c.ttl)}
	keys := c.bySubj[subject]
	if keys == nil {
		keys = map[[32]byte]struct{}{}
		c.bySubj[subject] = keys
	}
	keys[k] = struct{}{}
}

// Forget drops every entry of a subject.
func (c *Cache) Forget(subject string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.bySubj[subject] {
		delete(c.entries, k)
	}
	delete(c.bySubj, subject)
}

func (c *Cache) sweep() {
	now := c.now()
	for k, e := range c.entries {
		if !now.Before(e.expires) {
			c.drop(k, e)
		}
	}
	if len(c.entries) >= maxEntries {
		clear(c.entries)
		clear(c.bySubj)
	}
}

func (c *Cache) drop(k [32]byte, e cacheEntry) {
	delete(c.entries, k)
	if keys := c.bySubj[e.subject]; keys != nil {
		delete(keys, k)
		if len(keys) == 0 {
			delete(c.bySubj, e.subject)
		}
	}
}
