-- The open matters of a part of the township with their light and place, most urgent
-- first (red, most overdue first; yellow; green, least time left first; paused; no time
-- limit); at most $limit rows. In scope, in $villages and in $cell_ids (NULL: all).
-- remaining_min is working minutes left (negative: overdue by that much); lon/lat the
-- matter's point (NULL when it has none).
-- returns: matter_id, light, remaining_min, status, urgent, created_at, due_at
-- returns: category_name, category_name_en, dept_id, dept_name, dept_name_en
-- returns: cell_id, cell_code, cell_name, description, address, lon, lat
-- params: scope, villages, cell_ids, now, yellow_share, limit
WITH top AS (
    SELECT *
    FROM open_matter_lights($now, $yellow_share)
    WHERE list_contains($scope::INTEGER[], coalesce(village_id, -1))
      AND ($villages::INTEGER[] IS NULL OR list_contains($villages::INTEGER[], coalesce(village_id, -1)))
      AND ($cell_ids::INTEGER[] IS NULL OR list_contains($cell_ids::INTEGER[], coalesce(cell_id, -1)))
    ORDER BY CASE light WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 WHEN 'green' THEN 2
                        WHEN 'paused' THEN 3 ELSE 4 END,
             remaining_min NULLS LAST, created_at, matter_id
    LIMIT $limit
)
SELECT t.matter_id, t.light, t.remaining_min, t.status, t.urgent, t.created_at, t.due_at,
       k.name AS category_name, k.name_en AS category_name_en,
       t.lead_dept_id AS dept_id, d.name AS dept_name, d.name_en AS dept_name_en,
       t.cell_id, c.code AS cell_code, c.name AS cell_name, t.description, t.address, m.lon, m.lat
FROM top t
JOIN matters m ON m.matter_id = t.matter_id
LEFT JOIN categories k ON k.category_id = t.category_id
LEFT JOIN departments d ON d.dept_id = t.lead_dept_id
LEFT JOIN areas c ON c.area_id = t.cell_id
ORDER BY CASE t.light WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 WHEN 'green' THEN 2
                      WHEN 'paused' THEN 3 ELSE 4 END,
         t.remaining_min NULLS LAST, t.created_at, t.matter_id;
