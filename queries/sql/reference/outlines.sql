-- Outlines for the map: the villages/communities in scope and the township they belong
-- to, with geometry (WKB, EPSG:4326). level is 'township' or 'village'.
-- returns: area_id, level, code, name, geom
-- params: scope
SELECT area_id, level, code, name, geom
FROM areas
WHERE geom IS NOT NULL
  AND ((level = 'village' AND list_contains($scope::INTEGER[], area_id))
       OR (level = 'township' AND area_id IN (SELECT parent_id FROM areas
                                              WHERE level = 'village'
                                                AND list_contains($scope::INTEGER[], area_id))))
ORDER BY level = 'village', code;
