-- Every write transaction ends with this: readers' caches key on the data version.
-- params: none
UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'data_version';
