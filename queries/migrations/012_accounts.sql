-- Accounts: the people who sign in, their role and the villages they may see,
-- and their API tokens. Only slow hashes of passwords (scrypt, with its salt and
-- parameters) and hashes of tokens are kept. The session-signing secret is a meta key
-- written with this migration (queries.store), so restarts keep sessions valid.

CREATE TABLE users (
    user_id        INTEGER PRIMARY KEY,
    name           VARCHAR NOT NULL UNIQUE,
    role           VARCHAR NOT NULL CHECK (role IN ('admin', 'commander', 'operator', 'department',
                                                    'leader', 'analyst', 'viewer')),
    scope_codes    VARCHAR[],                -- village codes the user may see; NULL: the whole township
    dept_code      VARCHAR,                  -- a department user's department
    password_hash  VARCHAR NOT NULL,         -- scrypt$n$r$p$salt-hex$hash-hex
    disabled       BOOLEAN NOT NULL DEFAULT false,
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    locked_until   TIMESTAMP,
    created_at     TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
    token_id    INTEGER PRIMARY KEY,
    token_hash  VARCHAR NOT NULL UNIQUE,     -- sha256 of the token (a random 256-bit string)
    user_id     INTEGER NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    revoked_at  TIMESTAMP
);
