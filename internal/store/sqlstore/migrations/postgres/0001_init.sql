-- The schema of SQLite's migrations 0001 to 0007, in PostgreSQL's terms.
-- Strings that are compared or ordered are COLLATE "C": scimd compares
-- their bytes (it folds case itself), whatever the database's collation.
-- Times are Unix nanoseconds, as on SQLite.

-- Substring search: trigram indexes (see attr_text). The extension ships
-- with PostgreSQL (postgresql-contrib); creating it needs a role that may,
-- unless an administrator created it beforehand.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Tenants. The default tenant has the empty domain and always exists.
CREATE TABLE tenants (
    domain  TEXT COLLATE "C" PRIMARY KEY,
    created BIGINT NOT NULL
);
INSERT INTO tenants (domain, created) VALUES ('', 0);

-- Resources of every type and tenant. data is the canonical document as
-- served, byte for byte; fdata the same with caseExact=false strings
-- case-folded and dateTimes normalized, which filters compare; fdisplay the
-- folded display, which filters on members.display compare.
CREATE TABLE resources (
    rid      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant   TEXT COLLATE "C" NOT NULL,
    rtype    TEXT COLLATE "C" NOT NULL,
    id       TEXT COLLATE "C" NOT NULL,
    version  BIGINT NOT NULL,
    created  BIGINT NOT NULL,
    modified BIGINT NOT NULL,
    display  TEXT NOT NULL,
    fdisplay TEXT COLLATE "C" NOT NULL,
    data     TEXT NOT NULL,
    fdata    JSONB NOT NULL,
    password TEXT
);
CREATE UNIQUE INDEX resources_id ON resources (id);
CREATE INDEX resources_list ON resources (tenant, rtype, rid);
-- Equality filters on attributes without an index of their own look their
-- candidates up here (fdata @> '{"title": "x"}').
CREATE INDEX resources_fdata ON resources USING GIN (fdata jsonb_path_ops);

-- Values of indexed attributes, folded as in fdata. A unique attribute's
-- entries take slot 0, so that the primary key refuses a second resource
-- with the value; other entries take the resource's row id.
CREATE TABLE attr_index (
    tenant TEXT COLLATE "C" NOT NULL,
    rtype  TEXT COLLATE "C" NOT NULL,
    attr   TEXT COLLATE "C" NOT NULL,
    val    TEXT COLLATE "C" NOT NULL,
    slot   BIGINT NOT NULL,
    rid    BIGINT NOT NULL,
    PRIMARY KEY (tenant, rtype, attr, val, slot)
);

-- Substring search (co, sw, ew): one row per resource and substring-indexed
-- attribute, its values on separate lines. rowid = rid * 64 + the
-- attribute's number in index_defs, as in SQLite's attr_text, so that both
-- share their statements. The trigram index answers which rows may contain
-- a literal; the query checks the candidates against the document.
CREATE TABLE attr_text (
    rowid BIGINT PRIMARY KEY,
    val   TEXT COLLATE "C" NOT NULL
);
CREATE INDEX attr_text_trgm ON attr_text USING GIN (val gin_trgm_ops);

-- The attribute indexes the tables hold (kind: unique, value or text), so
-- that Open builds the ones the schema registry adds and drops the others.
CREATE TABLE index_defs (
    rtype TEXT COLLATE "C" NOT NULL,
    attr  TEXT COLLATE "C" NOT NULL,
    kind  TEXT COLLATE "C" NOT NULL,
    num   INTEGER NOT NULL,
    PRIMARY KEY (rtype, attr, kind)
);

-- Group membership by row id; both rows are in the same tenant.
CREATE TABLE members (
    group_rid  BIGINT NOT NULL,
    member_rid BIGINT NOT NULL,
    PRIMARY KEY (group_rid, member_rid)
);
CREATE INDEX members_member ON members (member_rid, group_rid);

-- Resources per tenant and type, kept by every create and delete in the
-- same transaction. Writers add to one of several shards at random, so
-- that concurrent creates don't queue for one row; readers sum them.
CREATE TABLE resource_counts (
    tenant TEXT COLLATE "C" NOT NULL,
    rtype  TEXT COLLATE "C" NOT NULL,
    shard  INTEGER NOT NULL,
    n      BIGINT NOT NULL,
    PRIMARY KEY (tenant, rtype, shard)
);

-- Named random keys shared by every scimd using the database.
CREATE TABLE secrets (
    name    TEXT COLLATE "C" PRIMARY KEY,
    value   BYTEA  NOT NULL,
    created BIGINT NOT NULL
);

-- OAuth 2.0 clients (RFC 6749 §4.4); the secret as an argon2id hash.
CREATE TABLE oauth_clients (
    tenant      TEXT COLLATE "C" NOT NULL,
    client_id   TEXT COLLATE "C" NOT NULL,
    name        TEXT   NOT NULL,
    secret_hash TEXT   NOT NULL,
    scopes      TEXT   NOT NULL,  -- space-separated
    profile     TEXT   NOT NULL,
    created     BIGINT NOT NULL,
    PRIMARY KEY (tenant, client_id)
);

-- Long-lived API tokens, found by the SHA-256 of the token.
CREATE TABLE api_tokens (
    id      TEXT COLLATE "C" PRIMARY KEY,
    tenant  TEXT COLLATE "C" NOT NULL,
    hash    BYTEA   NOT NULL UNIQUE,
    name    TEXT    NOT NULL,
    scopes  TEXT    NOT NULL,
    profile TEXT    NOT NULL,
    created BIGINT  NOT NULL,
    expires BIGINT  NOT NULL,  -- 0: never
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_tenant ON api_tokens (tenant, created);

-- Keys signing the JWT access tokens of each tenant's token endpoint.
CREATE TABLE signing_keys (
    kid     TEXT COLLATE "C" PRIMARY KEY,
    tenant  TEXT COLLATE "C" NOT NULL,
    alg     TEXT   NOT NULL,
    private BYTEA  NOT NULL,  -- PKCS #8, DER
    created BIGINT NOT NULL
);
CREATE INDEX signing_keys_tenant ON signing_keys (tenant, created);

-- Failed logins per account in the current window (start), shared by
-- every scimd using the database. key is the SHA-256 of the tenant and
-- the account, which may be any string a client sends.
CREATE TABLE login_failures (
    key   TEXT COLLATE "C" PRIMARY KEY,
    n     INTEGER NOT NULL,
    start BIGINT  NOT NULL
);
CREATE INDEX login_failures_start ON login_failures (start);
