-- One key of the meta table, set or replaced.
-- params: key, value
INSERT OR REPLACE INTO meta VALUES ($key, $value);
