-- Resources per kind, inside an import's transaction (its summary).
-- returns: kind, resources
-- params: none
SELECT kind, count(*) AS resources FROM resources GROUP BY kind ORDER BY kind;
