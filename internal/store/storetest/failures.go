package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/scimd/scimd/internal/store"
)

func testLoginAttempts(t *testing.T, s store.Store) {
	ctx := context.Background()
	const window = 15 * time.Minute
	count := func(tenant string, at time.Time, keys ...string) []store.LoginCount {
		t.Helper()
		got, err := s.CountLoginAttempts(ctx, tenant, keys, at, window)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(keys) {
			t.Fatalf("CountLoginAttempts(%q) returned %d counts", keys, len(got))
		}
		return got
	}
	want := func(got store.LoginCount, n int, since time.Time) {
		t.Helper()
		if got.N != n || !got.Since.Equal(since) {
			t.Errorf("count %d since %v, want %d since %v", got.N, got.Since, n, since)
		}
	}
	want(count(store.DefaultTenant, t0, "user:kim")[0], 1, t0)
	c := count(store.DefaultTenant, t0.Add(time.Minute), "user:kim", "user:kim@192.0.2.1")
	want(c[0], 2, t0)
	want(c[1], 1, t0.Add(time.Minute))
	// Keys are per tenant, and any string is a key.
	want(count("example.com", t0, "user:kim")[0], 1, t0)
	odd := "user:\x00\xff" + string(make([]byte, 5000))
	want(count("example.com", t0, odd)[0], 1, t0)
	// An attempt after the window begins a new one.
	later := t0.Add(window + time.Second)
	want(count(store.DefaultTenant, later, "user:kim")[0], 1, later)
	want(count(store.DefaultTenant, later, "user:lee")[0], 1, later)
	// Clearing forgets the keys named, and only those.
	if err := s.ClearLoginAttempts(ctx, store.DefaultTenant, "user:kim", "user:kim@192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	want(count(store.DefaultTenant, later, "user:kim")[0], 1, later)
	want(count(store.DefaultTenant, later, "user:lee")[0], 2, later)
}

// testConcurrentLoginAttempts checks that attempts counted at once, as by
// several processes, all count, each seeing a count of its own.
func testConcurrentLoginAttempts(t *testing.T, s store.Store) {
	const n = 40
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seen = map[int]bool{}
	)
	for i := range n {
		wg.Go(func() {
			c, err := s.CountLoginAttempts(context.Background(), store.DefaultTenant, []string{"user:kim"}, t0.Add(time.Duration(i)*time.Millisecond), time.Hour)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			seen[c[0].N] = true
			mu.Unlock()
		})
	}
	wg.Wait()
	for i := 1; i <= n; i++ {
		if !seen[i] {
			t.Errorf("after %d concurrent attempts, none saw the count %d: %v", n, i, seen)
			break
		}
	}
}
