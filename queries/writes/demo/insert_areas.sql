-- The demo township's areas (township, villages, cells) from the registered demo_areas.
-- params: none
INSERT INTO areas (area_id, level, code, name, parent_id, village_id, worker_name, worker_phone,
                   lon, lat, area_km2, geom, origin)
SELECT area_id, level, code, name, parent_id, village_id, worker_name, worker_phone,
       lon, lat, area_km2, geom, origin
FROM demo_areas;
