-- The grid cells with their village and geometry (WKB, EPSG:4326), in id order.
-- returns: cell_id, village_id, code, geom
-- params: none
SELECT area_id AS cell_id, village_id, code, geom
FROM areas
WHERE level = 'cell' AND geom IS NOT NULL
ORDER BY area_id;
