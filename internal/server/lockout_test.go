package server

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/internal/store/sqlstore"
)

func TestLockout(t *testing.T) {
	reg, err := Registry()
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "scimd.db"), sqlstore.Options{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	l := &lockout{st: st, perSource: 3, perAccount: 10, window: 15 * time.Minute, now: func() time.Time { return now }}
	ctx := context.Background()
	try := func(account, addr string) time.Duration {
		t.Helper()
		wait, _, err := l.attempt(ctx, store.DefaultTenant, account, addr)
		if err != nil {
			t.Fatal(err)
		}
		return wait
	}
	// perSource attempts from one address, then that address waits for the
	// window's end; other addresses may still try.
	for i := range 3 {
		if w := try("user:kim", "192.0.2.1"); w != 0 {
			t.Fatalf("attempt %d from one address: wait %v", i+1, w)
		}
	}
	now = now.Add(time.Minute)
	if w := try("user:kim", "192.0.2.1"); w != 14*time.Minute {
		t.Errorf("attempt 4 from one address: wait %v, want 14m (the window's rest)", w)
	}
	if w := try("user:kim", "192.0.2.2"); w != 0 {
		t.Errorf("an attempt from another address: wait %v", w)
	}
	// perAccount attempts in all, from anywhere, and every address waits.
	for i := 5; i <= 10; i++ {
		try("user:kim", fmt.Sprintf("198.51.100.%d", i))
	}
	if w := try("user:kim", "203.0.113.1"); w == 0 {
		t.Error("attempt 11 from a new address was allowed; the account has had its 10")
	}
	if w := try("user:lee", "192.0.2.1"); w != 0 {
		t.Errorf("another account from the first address: wait %v", w)
	}
	// A success clears the account's count and its address's.
	if err := l.succeeded(ctx, store.DefaultTenant, "user:kim", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if w := try("user:kim", "192.0.2.1"); w != 0 {
		t.Errorf("after a successful login: wait %v", w)
	}
	// A new window begins after the last one ends.
	now = now.Add(15 * time.Minute)
	if w := try("user:kim", "192.0.2.2"); w != 0 {
		t.Errorf("in a new window: wait %v", w)
	}
}
