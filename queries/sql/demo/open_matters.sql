-- How many matters are open now (the current-state table), for a build's report.
-- returns: open_matters
-- params: none
SELECT count(*) AS open_matters
FROM open_matters
