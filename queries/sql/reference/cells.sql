-- The grid cells (网格) in scope with their 15-digit code, village and geometry (WKB,
-- EPSG:4326), for the map; in id order.
-- returns: cell_id, code, name, village_id, village_name, worker_name, geom
-- params: scope
SELECT c.area_id AS cell_id, c.code, c.name, c.village_id, v.name AS village_name,
       c.worker_name, c.geom
FROM areas c
LEFT JOIN areas v ON v.area_id = c.village_id
WHERE c.level = 'cell' AND list_contains($scope::INTEGER[], c.village_id)
ORDER BY c.area_id;
