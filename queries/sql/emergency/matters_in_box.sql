-- Matters in scope lying in a bounding box (WGS-84): open ones, and any registered since
-- $since (an emergency's declaration); the caller keeps those inside the area itself.
-- returns: matter_id, status, level, urgent, created_at, lon, lat, cell_id, category_name, category_name_en
-- params: scope, min_lon, min_lat, max_lon, max_lat, since
SELECT m.matter_id, m.status, m.level, m.urgent, m.created_at, m.lon, m.lat, m.cell_id,
       k.name AS category_name, k.name_en AS category_name_en
FROM matters m
LEFT JOIN categories k ON k.category_id = m.category_id
WHERE m.lon BETWEEN $min_lon AND $max_lon AND m.lat BETWEEN $min_lat AND $max_lat
  AND list_contains($scope::INTEGER[], coalesce(m.village_id, -1))
  AND (m.status NOT IN ('closed', 'voided') OR m.created_at >= $since)
ORDER BY m.created_at, m.matter_id;
