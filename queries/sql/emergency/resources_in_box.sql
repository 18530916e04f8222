-- Resources in scope lying in a bounding box (WGS-84), hazard sites among them; the caller
-- keeps those inside the area. (Nearest resources by distance: queries/resources.py.)
-- returns: resource_id, kind, name, lon, lat, contact, state, capacity
-- params: scope, min_lon, min_lat, max_lon, max_lat
SELECT resource_id, kind, name, lon, lat, contact, state, capacity
FROM resources
WHERE lon BETWEEN $min_lon AND $max_lon AND lat BETWEEN $min_lat AND $max_lat
  AND list_contains($scope::INTEGER[], coalesce(village_id, -1))
ORDER BY kind, resource_id;
