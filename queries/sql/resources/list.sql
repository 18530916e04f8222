-- Resources the viewer may see (those of their villages; outside the grid: township-wide
-- viewers), filtered by kind, cell code and a lon/lat box (NULL: any), by kind and name.
-- returns: id, kind, name, contact, state, capacity, note, lon, lat, cell, cell_name
-- returns: village_id, village
-- params: scope, kinds, cells, min_lon, max_lon, min_lat, max_lat
SELECT r.resource_id AS id, r.kind, r.name, r.contact, r.state, r.capacity, r.note, r.lon, r.lat,
       c.code AS cell, c.name AS cell_name, r.village_id, v.name AS village
FROM resources r
LEFT JOIN areas c ON c.area_id = r.cell_id
LEFT JOIN areas v ON v.area_id = r.village_id
WHERE list_contains($scope::INTEGER[], coalesce(r.village_id, -1))
  AND ($kinds::VARCHAR[] IS NULL OR list_contains($kinds::VARCHAR[], r.kind))
  AND ($cells::VARCHAR[] IS NULL OR list_contains($cells::VARCHAR[], c.code))
  AND ($min_lon::DOUBLE IS NULL OR r.lon BETWEEN $min_lon::DOUBLE AND $max_lon::DOUBLE)
  AND ($min_lat::DOUBLE IS NULL OR r.lat BETWEEN $min_lat::DOUBLE AND $max_lat::DOUBLE)
ORDER BY r.kind, r.name, r.resource_id;
