-- The active warnings (not resolved) in scope, with what they concern by name, most severe
-- first, then newest. Warnings about a department (EWMA drift) concern no village: they
-- count as village -1, which township-wide viewers have in scope. methods filters by
-- method (NULL: all); severities likewise.
-- returns: warning_key, method, severity, scope_level, village_id, village_name, cell_id, cell_code
-- returns: cell_name, dept_id, dept_name, dept_name_en, major_code, major_name, major_name_en
-- returns: category_id, category_name, category_name_en, matter_id, address
-- returns: observed, expected, threshold, statistic, window_start, window_end
-- returns: first_seen, last_seen, acknowledged_by, acknowledged_at
-- params: scope, methods, severities
SELECT w.warning_key, w.method, w.severity, w.scope_level,
       w.village_id, v.name AS village_name, w.cell_id, c.code AS cell_code, c.name AS cell_name,
       w.dept_id, d.name AS dept_name, d.name_en AS dept_name_en,
       w.major_code, mj.major_name, mj.major_name_en,
       w.category_id, k.name AS category_name, k.name_en AS category_name_en,
       w.matter_id, w.address,
       w.observed, w.expected, w.threshold, w.statistic, w.window_start, w.window_end,
       w.first_seen, w.last_seen, w.acknowledged_by, w.acknowledged_at
FROM warnings w
LEFT JOIN areas v ON v.area_id = w.village_id
LEFT JOIN areas c ON c.area_id = w.cell_id
LEFT JOIN departments d ON d.dept_id = w.dept_id
LEFT JOIN categories k ON k.category_id = w.category_id
LEFT JOIN (SELECT major_code, any_value(major_name) AS major_name, any_value(major_name_en) AS major_name_en
           FROM categories GROUP BY major_code) mj ON mj.major_code = w.major_code
WHERE w.resolved_at IS NULL
  AND list_contains($scope::INTEGER[], coalesce(w.village_id, -1))
  AND ($methods::VARCHAR[] IS NULL OR list_contains($methods::VARCHAR[], w.method))
  AND ($severities::VARCHAR[] IS NULL OR list_contains($severities::VARCHAR[], w.severity))
ORDER BY CASE w.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, w.last_seen DESC,
         w.first_seen DESC, w.warning_key;
