package server

import (
	"context"
	"time"

	"github.com/scimd/scimd/internal/store"
)

// lockout limits password guessing, on every scimd sharing a database: the
// counts live in the store. Each login attempt that the verified-credentials
// cache doesn't answer is counted before its password is checked — so that
// concurrent guesses can't all pass a check made before any is counted —
// under its account, and under its account from the client's address. An
// account with more than perSource attempts from one address in the window
// is refused from that address; one with more than perAccount attempts in
// all (NIST SP 800-63B allows at most 100) is refused from everywhere. A
// successful login clears its counts.
//
// So a guesser on one address gets perSource guesses per window at each
// account, and shutting an account's owner out takes perAccount failed
// attempts per window, which a login of the owner resets; clients using
// API tokens or access tokens are never shut out.
type lockout struct {
	st                    store.Store
	perSource, perAccount int
	window                time.Duration
	now                   func() time.Time
}

// attempt counts an attempt to log in as account (of the tenant) from addr.
// It returns how long the client must wait before trying again (0 if it may
// try now), and whether a successful login must clear counts; only an
// attempt's own count of 1 is left, which the next attempt's success clears.
func (l *lockout) attempt(ctx context.Context, tenant, account, addr string) (wait time.Duration, clear bool, err error) {
	now := l.now()
	counts, err := l.st.CountLoginAttempts(ctx, tenant, l.keys(account, addr), now, l.window)
	if err != nil {
		return 0, false, err
	}
	for i, limit := range []int{l.perAccount, l.perSource} {
		if counts[i].N > limit {
			wait = max(wait, counts[i].Since.Add(l.window).Sub(now))
		}
		clear = clear || counts[i].N > 1
	}
	return wait, clear, nil
}

// succeeded clears the counts of an account after a successful login.
func (l *lockout) succeeded(ctx context.Context, tenant, account, addr string) error {
	return l.st.ClearLoginAttempts(ctx, tenant, l.keys(account, addr)...)
}

func (l *lockout) keys(account, addr string) []string {
	return []string{account, account + "\x00" + addr}
}
