-- Resources per tenant and type, kept by every create and delete in the
-- same transaction, so that an unfiltered list's totalResults costs no
-- count over the table. Writers add to one of several shards (always 0
-- on SQLite, which has one writer) and readers sum them.
CREATE TABLE resource_counts (
    tenant TEXT    NOT NULL,
    rtype  TEXT    NOT NULL,
    shard  INTEGER NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (tenant, rtype, shard)
) WITHOUT ROWID;
INSERT INTO resource_counts (tenant, rtype, shard, n)
    SELECT tenant, rtype, 0, count(*) FROM resources GROUP BY tenant, rtype;

-- Named random keys shared by every scimd using the database (e.g. the key
-- that authenticates pagination cursors).
CREATE TABLE secrets (
    name    TEXT PRIMARY KEY,
    value   BLOB    NOT NULL,
    created INTEGER NOT NULL
) WITHOUT ROWID;
