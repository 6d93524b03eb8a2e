-- Failed logins per account in the current window (start, Unix
-- nanoseconds), shared by every process using the database. key is the
-- SHA-256 of the tenant and the account, which may be any string a client
-- sends.
CREATE TABLE login_failures (
    key   TEXT    PRIMARY KEY,
    n     INTEGER NOT NULL,
    start INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX login_failures_start ON login_failures (start);
