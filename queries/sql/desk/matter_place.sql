-- Where a matter lies, for the card's mini-map: its point, its grid cell (网格: code, name
-- and outline as WKB in EPSG:4326) and its village; empty when outside the scope.
-- returns: matter_id, lon, lat, cell_id, cell_code, cell_name, village_name, cell_geom
-- params: scope, matter_id
SELECT m.matter_id, m.lon, m.lat, m.cell_id, c.code AS cell_code, c.name AS cell_name,
       v.name AS village_name, c.geom AS cell_geom
FROM matters m
LEFT JOIN areas c ON c.area_id = m.cell_id
LEFT JOIN areas v ON v.area_id = m.village_id
WHERE m.matter_id = $matter_id
  AND list_contains($scope::INTEGER[], coalesce(m.village_id, -1));
