-- The open matters for the overview table, most urgent first: red (most overdue first),
-- then yellow, green (least time left first), paused and those without a time limit;
-- at most $limit rows. The text comes from the current-state table, not the history.
-- remaining_min is working minutes left (negative: overdue by that much).
-- returns: matter_id, light, remaining_min, status, source, urgent, level, supervision_count
-- returns: created_at, due_at, major_code, major_name, major_name_en, category_name, category_name_en
-- returns: dept_id, dept_name, dept_name_en, village_name, cell_code, cell_name
-- returns: external_ref, description, address
-- params: scope, villages, sources, majors, depts, now, yellow_share, limit
WITH top AS (
    SELECT *
    FROM overview_open_matters($scope, $villages, $sources, $majors, $depts, $now, $yellow_share)
    ORDER BY CASE light WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 WHEN 'green' THEN 2
                        WHEN 'paused' THEN 3 ELSE 4 END,
             remaining_min NULLS LAST, created_at, matter_id
    LIMIT $limit
)
SELECT t.matter_id, t.light, t.remaining_min, t.status, t.source, t.urgent, t.level,
       t.supervision_count, t.created_at, t.due_at,
       t.major_code, k.major_name, k.major_name_en, k.name AS category_name, k.name_en AS category_name_en,
       t.lead_dept_id AS dept_id, d.name AS dept_name, d.name_en AS dept_name_en,
       v.name AS village_name, c.code AS cell_code, c.name AS cell_name,
       t.external_ref, t.description, t.address
FROM top t
LEFT JOIN categories k ON k.category_id = t.category_id
LEFT JOIN departments d ON d.dept_id = t.lead_dept_id
LEFT JOIN areas v ON v.area_id = t.village_id
LEFT JOIN areas c ON c.area_id = t.cell_id
ORDER BY CASE t.light WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 WHEN 'green' THEN 2
                      WHEN 'paused' THEN 3 ELSE 4 END,
         t.remaining_min NULLS LAST, t.created_at, t.matter_id;
