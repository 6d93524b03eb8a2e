-- Tenants. The default tenant has the empty domain and always exists.
CREATE TABLE tenants (
    domain  TEXT PRIMARY KEY,
    created INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO tenants (domain, created) VALUES ('', 0);

-- Resources of every type and tenant. data is the canonical document as
-- served; fdata the same with caseExact=false strings case-folded and
-- dateTimes normalized, which filters compare. Times are Unix nanoseconds.
CREATE TABLE resources (
    rid      INTEGER PRIMARY KEY,
    tenant   TEXT    NOT NULL,
    rtype    TEXT    NOT NULL,
    id       TEXT    NOT NULL,
    version  INTEGER NOT NULL,
    created  INTEGER NOT NULL,
    modified INTEGER NOT NULL,
    display  TEXT    NOT NULL,
    data     TEXT    NOT NULL,
    fdata    TEXT    NOT NULL,
    password TEXT
);
CREATE UNIQUE INDEX resources_id ON resources (id);
CREATE INDEX resources_list ON resources (tenant, rtype, rid);

-- Values of indexed attributes, folded as in fdata: fast lookups, and
-- uniqueness (uniq = 1) enforced by the partial unique index.
CREATE TABLE attr_index (
    tenant TEXT    NOT NULL,
    rtype  TEXT    NOT NULL,
    attr   TEXT    NOT NULL,
    val    TEXT    NOT NULL,
    rid    INTEGER NOT NULL,
    uniq   INTEGER NOT NULL,
    PRIMARY KEY (tenant, rtype, attr, val, rid)
) WITHOUT ROWID;
CREATE UNIQUE INDEX attr_index_unique ON attr_index (tenant, rtype, attr, val) WHERE uniq = 1;

-- Group membership by row id; both rows are in the same tenant.
CREATE TABLE members (
    group_rid  INTEGER NOT NULL,
    member_rid INTEGER NOT NULL,
    PRIMARY KEY (group_rid, member_rid)
) WITHOUT ROWID;
CREATE INDEX members_member ON members (member_rid, group_rid);
