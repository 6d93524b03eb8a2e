-- OAuth 2.0 clients (RFC 6749 §4.4): the secret is stored as an argon2id hash.
CREATE TABLE oauth_clients (
    tenant      TEXT    NOT NULL,
    client_id   TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    secret_hash TEXT    NOT NULL,
    scopes      TEXT    NOT NULL,  -- space-separated
    profile     TEXT    NOT NULL,
    created     INTEGER NOT NULL,
    PRIMARY KEY (tenant, client_id)
) WITHOUT ROWID;

-- Long-lived API tokens: the token is 256 random bits, stored as its
-- SHA-256, by which it is found.
CREATE TABLE api_tokens (
    id         TEXT    PRIMARY KEY,
    tenant     TEXT    NOT NULL,
    hash       BLOB    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    scopes     TEXT    NOT NULL,
    profile    TEXT    NOT NULL,
    created    INTEGER NOT NULL,
    expires    INTEGER NOT NULL,  -- Unix nanoseconds; 0 never
    revoked    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX api_tokens_tenant ON api_tokens (tenant, created);

-- Keys signing the JWT access tokens of each tenant's token endpoint.
CREATE TABLE signing_keys (
    kid     TEXT    PRIMARY KEY,
    tenant  TEXT    NOT NULL,
    alg     TEXT    NOT NULL,
    private BLOB    NOT NULL,  -- PKCS #8, DER
    created INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX signing_keys_tenant ON signing_keys (tenant, created);
