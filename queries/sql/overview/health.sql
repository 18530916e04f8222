-- What /healthz reports: how many matters the store holds and its data version. Not
-- scoped: it answers the operator, not a viewer.
-- returns: matters, data_version
-- params: none
SELECT (SELECT count(*) FROM matters) AS matters,
       (SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'data_version') AS data_version;
