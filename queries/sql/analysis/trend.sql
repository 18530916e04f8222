-- Matters received per period for the analysis page's trend: grain 'day', 'week' (ISO
-- weeks, from Monday) or 'month'; period is the period's first day (the first and last
-- periods may be partial). Split by breakdown: 'major' (大类), 'source', 'department' (lead
-- department, -1 = not dispatched), 'village' (-1 = none) or 'none' (one series, 'all').
-- series_name is NULL for sources, 'all' and -1 (their names are in the dashboard's strings).
-- The cohort: the macro analysis_cohort (migration 009), the filters' one definition.
-- returns: period, series_key, series_name, series_name_en, received
-- params: scope, villages, cell_ids, sources, majors, category_ids, depts, week_hours
-- params: from_day, to_day, grain, breakdown
WITH cohort AS (
    SELECT CAST(CASE $grain WHEN 'month' THEN date_trunc('month', m.created_at)
                            WHEN 'week' THEN date_trunc('week', m.created_at)
                            ELSE date_trunc('day', m.created_at) END AS DATE) AS period,
           CASE $breakdown
               WHEN 'major' THEN coalesce(m.major_code, '')
               WHEN 'source' THEN m.source
               WHEN 'department' THEN CAST(coalesce(m.lead_dept_id, -1) AS VARCHAR)
               WHEN 'village' THEN CAST(coalesce(m.village_id, -1) AS VARCHAR)
               ELSE 'all' END AS series_key
    FROM analysis_cohort($scope, $villages, $cell_ids, $sources, $majors, $category_ids, $depts, $week_hours,
                             $from_day, $to_day) m
),
names AS (
    SELECT 'department' AS kind, CAST(dept_id AS VARCHAR) AS key, name, name_en FROM departments
    UNION ALL
    SELECT 'village', CAST(area_id AS VARCHAR), name, NULL FROM areas WHERE level = 'village'
    UNION ALL
    SELECT 'major', major_code, any_value(major_name ORDER BY code), any_value(major_name_en ORDER BY code)
    FROM categories GROUP BY major_code
)
SELECT c.period, c.series_key, n.name AS series_name, n.name_en AS series_name_en, count(*) AS received
FROM cohort c
LEFT JOIN names n ON n.kind = $breakdown AND n.key = c.series_key
GROUP BY c.period, c.series_key, n.name, n.name_en
ORDER BY c.period, try_cast(c.series_key AS INTEGER) NULLS LAST, c.series_key;
