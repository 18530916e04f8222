-- Matters with coordinates, to re-file under a new grid's cells.
-- returns: id, lon, lat
-- params: none
SELECT matter_id AS id, lon, lat
FROM matters
WHERE lon IS NOT NULL AND lat IS NOT NULL;
