-- Replace the whole grid (township, villages, cells) with the registered import_areas.
-- params: none
DELETE FROM areas;
INSERT INTO areas (area_id, level, code, name, parent_id, village_id, worker_name, worker_phone,
                   lon, lat, area_km2, geom, origin)
SELECT area_id, level, code, name, parent_id, village_id, NULL, NULL, lon, lat, area_km2, geom, 'import'
FROM import_areas
ORDER BY area_id;
