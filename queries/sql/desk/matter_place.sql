-- Where a matter lies, for the card's mini-map: its point, its grid cell (网格: code, name
-- and outline as WKB in EPSG:4326) and its village; empty when outside the scope.
-- returns: matter_id, lon, lat, cell_id, cell_code, cell_name, village_name, cell_geom
-- handled_by: a department user's department, whose matters alone (lead or co-handling) they
-- see; NULL for every other role.
-- params: scope, handled_by, matter_id
SELECT m.matter_id, m.lon, m.lat, m.cell_id, c.code AS cell_code, c.name AS cell_name,
       v.name AS village_name, c.geom AS cell_geom
FROM matters m
LEFT JOIN areas c ON c.area_id = m.cell_id
LEFT JOIN areas v ON v.area_id = m.village_id
WHERE m.matter_id = $matter_id
  AND list_contains($scope::INTEGER[], coalesce(m.village_id, -1))
  AND ($handled_by::INTEGER IS NULL OR m.lead_dept_id = $handled_by::INTEGER
       OR list_contains(coalesce(m.co_dept_ids, []::INTEGER[]), $handled_by::INTEGER));
