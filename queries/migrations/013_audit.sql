-- Security audit (安全审计, GB/T 22239-2019 level 3): an append-only log of who did what,
-- when, from where and with what outcome. The application only ever INSERTs here
-- (queries/writes/audit/record.sql); the one DELETE is the documented admin prune
-- (queries/writes/audit/prune.sql, `python -m dashboard audit prune`), which refuses
-- anything younger than 183 days (queries.audit.KEEP_DAYS). No UPDATE exists.

CREATE SEQUENCE audit_log_seq START 1;

CREATE TABLE audit_log (
    audit_id   BIGINT PRIMARY KEY DEFAULT nextval('audit_log_seq'),
    occurred_at TIMESTAMP NOT NULL,          -- the center's wall-clock time (queries.clock)
    user_name  VARCHAR,                      -- who (NULL: no signed-in user, e.g. a failed login's unknown name is in target)
    role       VARCHAR,
    source_ip  VARCHAR,
    what       VARCHAR NOT NULL CHECK (what IN ('login', 'login_failed', 'logout', 'action', 'refused', 'export',
                                               'report', 'import', 'user_change', 'token', 'prune')),
    target     VARCHAR,                      -- the matter, warning, page, file or user acted on
    outcome    VARCHAR NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),
    detail     VARCHAR
);

CREATE INDEX audit_log_at ON audit_log (occurred_at);
