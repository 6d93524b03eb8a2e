package auth

import (
	"sync"
	"time"
)

// Throttle counts failed logins per key (an account, a client address) in
// fixed windows and refuses further attempts once a key has failed too
// often — before any password hash is computed. Memory is bounded: keys
// whose window has passed are swept.
type Throttle struct {
	limit  int
	window time.Duration
	now    func() time.Time

	mu   sync.Mutex
	keys map[string]*failures
}

type failures struct {
	n     int
	start time.Time
}

// maxThrottleKeys bounds a Throttle; past it, the oldest windows go first.
const maxThrottleKeys = 200_000

// NewThrottle allows limit failures per key in each window.
func NewThrottle(limit int, window time.Duration, now func() time.Time) *Throttle {
	return &Throttle{limit: limit, window: window, now: now, keys: map[string]*failures{}}
}

// Allowed reports whether key may try again, and if not, for how long it
// must wait.
func (t *Throttle) Allowed(key string) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.keys[key]
	if f == nil {
		return true, 0
	}
	left := f.start.Add(t.window).Sub(t.now())
	if left <= 0 {
		delete(t.keys, key)
		return true, 0
	}
	return f.n < t.limit, left
}

// Fail records a failed attempt of key.
func (t *Throttle) Fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	f := t.keys[key]
	if f == nil || now.Sub(f.start) >= t.window {
		if len(t.keys) >= maxThrottleKeys {
			t.sweep(now)
		}
		f = &failures{start: now}
		t.keys[key] = f
	}
	f.n++
}

// Reset forgets the failures of key (after a successful login).
func (t *Throttle) Reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.keys, key)
}

func (t *Throttle) sweep(now time.Time) {
	for k, f := range t.keys {
		if now.Sub(f.start) >= t.window {
			delete(t.keys, k)
		}
	}
	for k := range t.keys { // still full: drop arbitrary windows
		if len(t.keys) < maxThrottleKeys/2 {
			break
		}
		delete(t.keys, k)
	}
}
