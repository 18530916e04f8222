-- The warnings raised (first seen) in the days from_day..to_day in scope, for the briefing
-- (情况报告): what each concerned and what became of it (acknowledged by whom and when,
-- resolved when, or still active), most severe first, then the earliest. Warnings about a
-- department concern no village: they count as village -1 (township-wide viewers see them).
-- returns: warning_key, method, severity, scope_level, village_name, cell_name, dept_name, dept_name_en
-- returns: major_name, major_name_en, category_name, category_name_en, observed, expected, threshold
-- returns: first_seen, last_seen, acknowledged_by, acknowledged_at, resolved_at
-- params: scope, from_day, to_day
SELECT w.warning_key, w.method, w.severity, w.scope_level,
       v.name AS village_name, c.name AS cell_name, d.name AS dept_name, d.name_en AS dept_name_en,
       mj.major_name, mj.major_name_en, k.name AS category_name, k.name_en AS category_name_en,
       w.observed, w.expected, w.threshold,
       w.first_seen, w.last_seen, w.acknowledged_by, w.acknowledged_at, w.resolved_at
FROM warnings w
LEFT JOIN areas v ON v.area_id = w.village_id
LEFT JOIN areas c ON c.area_id = w.cell_id
LEFT JOIN departments d ON d.dept_id = w.dept_id
LEFT JOIN categories k ON k.category_id = w.category_id
LEFT JOIN (SELECT major_code, any_value(major_name) AS major_name, any_value(major_name_en) AS major_name_en
           FROM categories GROUP BY major_code) mj ON mj.major_code = w.major_code
WHERE w.first_seen >= CAST($from_day AS DATE)
  AND w.first_seen < CAST($to_day AS DATE) + INTERVAL 1 DAY
  AND list_contains($scope::INTEGER[], coalesce(w.village_id, -1))
ORDER BY CASE w.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, w.first_seen, w.warning_key;
