package storetest

import (
	"context"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimd/scimd/internal/store"
)

func testClients(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.CreateTenant(ctx, "example.com"); err != nil {
		t.Fatal(err)
	}
	c := &store.Client{ID: "app", Name: "App", SecretHash: "h", Scopes: []string{"a", "b"}, Profile: "entra", Created: t0}
	if err := s.CreateClient(ctx, store.DefaultTenant, c); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateClient(ctx, store.DefaultTenant, c); !errors.Is(err, store.ErrExists) {
		t.Errorf("second CreateClient = %v, want ErrExists", err)
	}
	got, err := s.Client(ctx, store.DefaultTenant, "app")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("Client (-want +got):\n%s", diff)
	}
	if _, err := s.Client(ctx, "example.com", "app"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Client in another tenant = %v, want ErrNotFound", err)
	}
}

func testTokens(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.CreateTenant(ctx, "example.com"); err != nil {
		t.Fatal(err)
	}
	h1, h2 := sha256.Sum256([]byte("one")), sha256.Sum256([]byte("two"))
	a := &store.Token{ID: "t1", Hash: h1[:], Name: "entra", Scopes: []string{"x"}, Profile: "entra", Created: t0, Expires: t0.Add(time.Hour)}
	b := &store.Token{ID: "t2", Hash: h2[:], Name: "okta", Scopes: []string{"y", "z"}, Profile: "okta", Created: t0.Add(time.Second)}
	if err := s.CreateToken(ctx, "example.com", a); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateToken(ctx, "example.com", b); err != nil {
		t.Fatal(err)
	}
	tenant, got, err := s.TokenByHash(ctx, h1[:])
	if err != nil || tenant != "example.com" {
		t.Fatalf("TokenByHash = %q, %v", tenant, err)
	}
	if diff := cmp.Diff(a, got); diff != "" {
		t.Errorf("TokenByHash (-want +got):\n%s", diff)
	}
	list, err := s.Tokens(ctx, "example.com")
	if err != nil || len(list) != 2 || list[0].ID != "t1" || list[1].ID != "t2" {
		t.Errorf("Tokens = %v, %v", list, err)
	}
	if list, _ := s.Tokens(ctx, store.DefaultTenant); len(list) != 0 {
		t.Errorf("Tokens of another tenant = %v", list)
	}
	if err := s.RevokeToken(ctx, store.DefaultTenant, "t1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeToken in another tenant = %v, want ErrNotFound", err)
	}
	if err := s.RevokeToken(ctx, "example.com", "t1"); err != nil {
		t.Fatal(err)
	}
	if _, got, _ := s.TokenByHash(ctx, h1[:]); !got.Revoked {
		t.Error("token not revoked")
	}
	missing := sha256.Sum256([]byte("three"))
	if _, _, err := s.TokenByHash(ctx, missing[:]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TokenByHash of an unknown token = %v", err)
	}
}

func testSigningKeys(t *testing.T, s store.Store) {
	ctx := context.Background()
	k1 := &store.SigningKey{ID: "k1", Alg: "ES256", Private: []byte{1, 2}, Created: t0}
	k2 := &store.SigningKey{ID: "k2", Alg: "ES256", Private: []byte{3}, Created: t0.Add(time.Hour)}
	for _, k := range []*store.SigningKey{k1, k2} {
		if err := s.AddSigningKey(ctx, store.DefaultTenant, k); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.SigningKeys(ctx, store.DefaultTenant)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]*store.SigningKey{k2, k1}, got); diff != "" {
		t.Errorf("SigningKeys (-want +got):\n%s", diff)
	}
	if err := s.CreateTenant(ctx, "example.com"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.SigningKeys(ctx, "example.com"); len(got) != 0 {
		t.Errorf("another tenant's keys: %v", got)
	}
}
