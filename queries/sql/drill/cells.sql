-- The grid cells (网格) in scope whose 15-digit code is in $cells (NULL: every cell in
-- scope), with their village and their grid worker (网格员) and contact; in code order.
-- A code outside the scope finds nothing, as an unknown code does.
-- returns: cell_id, code, name, village_id, village_code, village_name, worker_name, worker_phone
-- returns: lon, lat, area_km2
-- params: scope, cells
SELECT c.area_id AS cell_id, c.code, c.name, c.village_id, v.code AS village_code, v.name AS village_name,
       c.worker_name, c.worker_phone, c.lon, c.lat, c.area_km2
FROM areas c
LEFT JOIN areas v ON v.area_id = c.village_id
WHERE c.level = 'cell'
  AND list_contains($scope::INTEGER[], c.village_id)
  AND ($cells::VARCHAR[] IS NULL OR list_contains($cells::VARCHAR[], c.code))
ORDER BY c.code;
