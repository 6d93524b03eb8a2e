-- Unique attributes are enforced by the primary key itself: their entries
-- take slot 0, other entries the resource's row id. This drops the partial
-- unique index, one B-tree less to write for every userName.
CREATE TABLE attr_index_new (
    tenant TEXT    NOT NULL,
    rtype  TEXT    NOT NULL,
    attr   TEXT    NOT NULL,
    val    TEXT    NOT NULL,
    slot   INTEGER NOT NULL,  -- 0 for a unique attribute, else rid
    rid    INTEGER NOT NULL,
    PRIMARY KEY (tenant, rtype, attr, val, slot)
) WITHOUT ROWID;
INSERT INTO attr_index_new (tenant, rtype, attr, val, slot, rid)
    SELECT tenant, rtype, attr, val, CASE WHEN uniq = 1 THEN 0 ELSE rid END, rid FROM attr_index;
DROP TABLE attr_index;
ALTER TABLE attr_index_new RENAME TO attr_index;
