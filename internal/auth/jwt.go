package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// KeyAlg is the algorithm of the keys scimd signs access tokens with.
const KeyAlg = jose.ES256

// AccessClaims are the claims of an access token issued by scimd's token
// endpoint (RFC 9068 names where they exist).
type AccessClaims struct {
	jwt.Claims
	Scope    string `json:"scope"`
	ClientID string `json:"client_id"`
	Tenant   string `json:"tenant"`
	Profile  string `json:"scimd_profile,omitempty"`
}

// Scopes returns the space-separated scopes as a list.
func (c *AccessClaims) Scopes() []string { return strings.Fields(c.Scope) }

// NewSigningKey generates an ES256 key, returned as PKCS #8 DER.
func NewSigningKey() ([]byte, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return x509.MarshalPKCS8PrivateKey(k)
}

// parseKey decodes a PKCS #8 ES256 key.
func parseKey(der []byte) (*ecdsa.PrivateKey, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, err
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, errors.New("auth: signing key is not a P-256 ECDSA key")
	}
	return ec, nil
}

// Key is a parsed signing key.
type Key struct {
	ID      string
	private *ecdsa.PrivateKey
}

// ParseKey parses a stored signing key.
func ParseKey(id string, der []byte) (*Key, error) {
	k, err := parseKey(der)
	if err != nil {
		return nil, fmt.Errorf("auth: key %s: %w", id, err)
	}
	return &Key{ID: id, private: k}, nil
}

// Public returns the key's public half for a JWK Set (RFC 7517).
func (k *Key) Public() jose.JSONWebKey {
	return jose.JSONWebKey{Key: k.private.Public(), KeyID: k.ID, Algorithm: string(KeyAlg), Use: "sig"}
}

// Sign issues a signed JWT with the given claims.
func (k *Key) Sign(c *AccessClaims) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: KeyAlg, Key: jose.JSONWebKey{Key: k.private, KeyID: k.ID}},
		(&jose.SignerOptions{}).WithType("at+jwt"))
	if err != nil {
		return "", err
	}
	return jwt.Signed(signer).Claims(c).Serialize()
}

// ErrInvalidToken is a bearer token that fails verification.
var ErrInvalidToken = errors.New("auth: invalid token")

// Leeway is the clock skew tolerated on exp, nbf and iat.
const Leeway = 30 * time.Second

// Verify checks a JWT signed by one of keys (chosen by "kid"; only ES256
// is accepted, so "none" and HMAC tokens fail), its expiry and its issuer,
// and returns its claims.
func Verify(token string, keys func(kid string) crypto.PublicKey, issuer string, now time.Time) (*AccessClaims, error) {
	t, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{KeyAlg})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if len(t.Headers) != 1 {
		return nil, fmt.Errorf("%w: one signature expected", ErrInvalidToken)
	}
	key := keys(t.Headers[0].KeyID)
	if key == nil {
		return nil, fmt.Errorf("%w: unknown key %q", ErrInvalidToken, t.Headers[0].KeyID)
	}
	var c AccessClaims
	if err := t.Claims(key, &c); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if c.Expiry == nil {
		return nil, fmt.Errorf("%w: no expiry", ErrInvalidToken)
	}
	if err := c.ValidateWithLeeway(jwt.Expected{Issuer: issuer, Time: now}, Leeway); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	return &c, nil
}

// PublicKeyOf returns the public key of a parsed key.
func (k *Key) PublicKeyOf() crypto.PublicKey { return k.private.Public() }
