-- The database's size, for `info`: all matters and the open ones.
-- params: none
-- returns: matters, open_matters
SELECT (SELECT count(*) FROM matters) AS matters, (SELECT count(*) FROM open_matters) AS open_matters;
