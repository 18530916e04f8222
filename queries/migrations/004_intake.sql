-- Intake: idempotent creation and the intake channels (Open311 api keys).

-- A retried POST with the same Idempotency-Key returns the first answer.
CREATE TABLE idempotency_keys (
    key          VARCHAR PRIMARY KEY,
    request_hash VARCHAR NOT NULL,     -- a reused key with another body is refused
    matter_id    BIGINT NOT NULL,
    response     VARCHAR NOT NULL,     -- the JSON answered first
    created_at   TIMESTAMP NOT NULL
);

-- Systems that may post matters (Open311 clients, the 12345 bridge): only a hash of the key
-- is kept.
CREATE TABLE intake_channels (
    channel_id  INTEGER PRIMARY KEY,
    name        VARCHAR NOT NULL UNIQUE,
    source      VARCHAR NOT NULL CHECK (source IN ('transfer', 'inspection', 'grid', 'public')),
    key_hash    VARCHAR NOT NULL UNIQUE,
    created_at  TIMESTAMP NOT NULL,
    revoked_at  TIMESTAMP
);
