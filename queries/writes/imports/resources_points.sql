-- Resources (all have coordinates), to re-file under a new grid's cells.
-- returns: id, lon, lat
-- params: none
SELECT resource_id AS id, lon, lat
FROM resources;
