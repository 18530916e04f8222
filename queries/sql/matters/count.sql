-- How many matters match the API list's filters (for an empty page past the end).
-- returns: total
-- params: scope, statuses, lights, cells, villages, depts, sources, categories, created_from, created_to
-- params: now, yellow_share
SELECT count(*) AS total
FROM matters m
LEFT JOIN (SELECT matter_id, light FROM open_matter_lights($now, $yellow_share)) l USING (matter_id)
LEFT JOIN areas c ON c.area_id = m.cell_id
LEFT JOIN categories k ON k.category_id = m.category_id
WHERE list_contains($scope::INTEGER[], coalesce(m.village_id, -1))
  AND ($statuses::VARCHAR[] IS NULL OR list_contains($statuses::VARCHAR[], m.status))
  AND ($lights::VARCHAR[] IS NULL OR list_contains($lights::VARCHAR[], l.light))
  AND ($cells::VARCHAR[] IS NULL OR list_contains($cells::VARCHAR[], c.code))
  AND ($villages::INTEGER[] IS NULL OR list_contains($villages::INTEGER[], coalesce(m.village_id, -1)))
  AND ($depts::INTEGER[] IS NULL OR list_contains($depts::INTEGER[], coalesce(m.lead_dept_id, -1)))
  AND ($sources::VARCHAR[] IS NULL OR list_contains($sources::VARCHAR[], m.source))
  AND ($categories::VARCHAR[] IS NULL OR list_contains($categories::VARCHAR[], k.code))
  AND ($created_from::TIMESTAMP IS NULL OR m.created_at >= $created_from::TIMESTAMP)
  AND ($created_to::TIMESTAMP IS NULL OR m.created_at < $created_to::TIMESTAMP);
