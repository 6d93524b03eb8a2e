// Package auth holds scimd's credential mechanics: password and secret
// hashing (argon2id, RFC 9106), the brief cache of verified Basic
// credentials, and the permission scopes. It knows nothing of HTTP or
// storage.
package auth
