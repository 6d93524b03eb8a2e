package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id parameters (RFC 9106). DefaultParams follow the OWASP
// recommendation of 19 MiB, 2 passes, 1 lane.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultParams are the parameters new hashes use.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// ErrMismatch means a password does not match its hash.
var ErrMismatch = errors.New("auth: password mismatch")

// Hasher hashes and verifies passwords with argon2id, running at most a
// bounded number of hash computations at once so that a burst of logins
// can't exhaust memory or starve other requests.
type Hasher struct {
	params Params
	slots  chan struct{}
}

// NewHasher returns a Hasher with the given parameters that runs at most
// max computations at once (0 means the number of CPUs).
func NewHasher(p Params, max int) *Hasher {
	if max <= 0 {
		max = runtime.GOMAXPROCS(0)
	}
	return &Hasher{params: p, slots: make(chan struct{}, max)}
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.slots }

// Hash returns the PHC string of a new salted argon2id hash of password:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	p := h.params
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify checks password against a PHC string made by Hash, in constant
// time. It returns ErrMismatch for a wrong password.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) error {
	p, salt, want, err := parsePHC(encoded)
	if err != nil {
		return err
	}
	if err := h.acquire(ctx); err != nil {
		return err
	}
	defer h.release()
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

// Burn computes one hash and discards it, so that a login with an unknown
// user name costs the same time as one with a wrong password.
func (h *Hasher) Burn(ctx context.Context, password string) {
	if err := h.acquire(ctx); err != nil {
		return
	}
	defer h.release()
	p := h.params
	argon2.IDKey([]byte(password), make([]byte, 16), p.Time, p.Memory, p.Threads, 32)
}

func parsePHC(s string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("auth: not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, errors.New("auth: unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("auth: bad argon2 parameters: %w", err)
	}
	if p.Memory == 0 || p.Memory > 1<<22 || p.Time == 0 || p.Time > 64 || p.Threads == 0 {
		return p, nil, nil, errors.New("auth: argon2 parameters out of range")
	}
	b64 := base64.RawStdEncoding
	if salt, err = b64.DecodeString(parts[4]); err != nil {
		return p, nil, nil, fmt.Errorf("auth: bad salt: %w", err)
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 {
		return p, nil, nil, errors.New("auth: bad hash")
	}
	return p, salt, key, nil
}
