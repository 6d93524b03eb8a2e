-- Trigram index for substring search (co, ew): one row per resource and
-- attribute, rowid = rid * 64 + the attribute's number in index_defs.
-- Contentless: it answers which rows may contain a literal's trigrams, and
-- the query checks the candidates against the document.
CREATE VIRTUAL TABLE attr_text USING fts5(val, tokenize = 'trigram case_sensitive 1', content = '', contentless_delete = 1, detail = 'none');

-- The attribute indexes the tables hold, so that Open can build the ones
-- the schema registry adds and drop the ones it removes. kind: unique or
-- value (attr_index), text (attr_text, with its number).
CREATE TABLE index_defs (
    rtype TEXT    NOT NULL,
    attr  TEXT    NOT NULL,
    kind  TEXT    NOT NULL,
    num   INTEGER NOT NULL,
    PRIMARY KEY (rtype, attr, kind)
) WITHOUT ROWID;
-- The indexes earlier versions built.
INSERT INTO index_defs (rtype, attr, kind, num) VALUES
    ('User', 'userName', 'unique', 0),
    ('User', 'externalId', 'value', 0),
    ('User', 'emails.value', 'value', 0),
    ('Group', 'displayName', 'value', 0),
    ('Group', 'externalId', 'value', 0),
    ('Group', 'urn:scimd:schemas:extension:authorization:2.0:Group:scopes', 'value', 0);
