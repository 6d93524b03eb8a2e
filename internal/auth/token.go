package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// TokenPrefix starts every API token, so that leaked tokens are easy to
// recognise (secret scanners) and told apart from JWTs.
const TokenPrefix = "scimd_"

// NewToken returns a new API token (256 random bits) and its hash, which
// is all that is stored.
func NewToken() (token string, hash []byte) {
	b := make([]byte, 32)
	rand.Read(b) // crypto/rand.Read never fails
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the SHA-256 of a token. A plain hash is enough: the
// token has 256 bits of entropy, so it can't be guessed from its hash.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// IsAPIToken reports whether a bearer token is an API token (not a JWT).
func IsAPIToken(token string) bool { return strings.HasPrefix(token, TokenPrefix) }

// NewSecret returns a random client secret.
func NewSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
