-- A migration applied, in the same transaction as its statements.
-- params: version, name, now
INSERT INTO schema_migrations VALUES ($version, $name, $now);
