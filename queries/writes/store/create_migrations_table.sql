-- The record of applied migrations, made with the first one.
-- params: none
CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP);
