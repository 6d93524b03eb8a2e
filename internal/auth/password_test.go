package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

var testParams = Params{Memory: 64, Time: 1, Threads: 1}

func TestHashVerify(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(testParams, 2)
	enc, err := h.Hash(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash %q is not in PHC form", enc)
	}
	other, _ := h.Hash(ctx, "correct horse")
	if other == enc {
		t.Error("two hashes of one password are equal: no salt")
	}
	tests := []struct {
		name, encoded, password string
		wantErr                 error
	}{
		{"right password", enc, "correct horse", nil},
		{"wrong password", enc, "correct horsE", ErrMismatch},
		{"empty password", enc, "", ErrMismatch},
		{"not PHC", "plaintext", "plaintext", errAny},
		{"bcrypt", "$2a$10$abcdefghijklmnopqrstuu", "x", errAny},
		{"absurd memory", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA", "x", errAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := h.Verify(ctx, tt.encoded, tt.password)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Errorf("Verify = %v, want nil", err)
			case tt.wantErr == errAny && err == nil:
				t.Error("Verify = nil, want an error")
			case tt.wantErr == ErrMismatch && !errors.Is(err, ErrMismatch):
				t.Errorf("Verify = %v, want ErrMismatch", err)
			}
		})
	}
}

var errAny = errors.New("any error")

func TestHasherBoundsConcurrency(t *testing.T) {
	h := NewHasher(testParams, 1)
	h.acquire(context.Background()) // the only slot is taken
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(ctx, "x"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Hash with no free slot = %v, want the context's deadline", err)
	}
	h.release()
}

func TestCache(t *testing.T) {
	now := time.Unix(1000, 0)
	c := NewCache(10*time.Second, func() time.Time { return now })
	k1, k2 := c.Key("basic", "", "kim", "pw"), c.Key("basic", "", "kim", "pw2")
	if k1 == k2 || k1 != c.Key("basic", "", "kim", "pw") {
		t.Fatal("keys are not a function of their parts")
	}
	if c.Key("a", "bc") == c.Key("ab", "c") {
		t.Error("keys of differently split parts collide")
	}
	c.Put(k1, "t/kim", "principal")
	c.Put(k2, "t/kim", "principal2")
	check := func(k [32]byte, wantOK, wantRefresh bool) {
		t.Helper()
		_, refresh, ok := c.Get(k)
		if ok != wantOK || refresh != wantRefresh {
			t.Errorf("Get at %v: ok %v refresh %v, want %v %v", now.Unix(), ok, refresh, wantOK, wantRefresh)
		}
	}
	check(k1, true, false)
	now = now.Add(6 * time.Second)
	check(k1, true, true)
	now = now.Add(4 * time.Second)
	check(k1, false, false)
	now = time.Unix(2000, 0)
	c.Put(k1, "t/kim", "principal")
	c.Put(k2, "t/kim", "principal2")
	c.Forget("t/kim")
	check(k1, false, false)
	check(k2, false, false)
}
