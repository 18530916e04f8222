-- The fixed facts of matters $ids for the overview's table in playback (what a matter's
-- events never change: where, what, from whom), with the names of its category, 大类,
-- village and cell; in scope.
-- returns: matter_id, source, urgent, level, created_at, major_code, major_name, major_name_en
-- returns: category_name, category_name_en, village_name, cell_code, cell_name, external_ref, description, address
-- params: ids, scope
SELECT m.matter_id, m.source, m.urgent, m.level, m.created_at, m.major_code, k.major_name, k.major_name_en,
       k.name AS category_name, k.name_en AS category_name_en, v.name AS village_name, c.code AS cell_code,
       c.name AS cell_name, m.external_ref, m.description, m.address
FROM matters m
JOIN (SELECT DISTINCT unnest($ids::BIGINT[]) AS matter_id) w ON w.matter_id = m.matter_id
LEFT JOIN categories k ON k.category_id = m.category_id
LEFT JOIN areas v ON v.area_id = m.village_id
LEFT JOIN areas c ON c.area_id = m.cell_id
WHERE list_contains($scope::INTEGER[], coalesce(m.village_id, -1))
ORDER BY m.matter_id;
