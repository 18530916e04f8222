-- Every assessment indicator (考核评价, DOMAIN.md §7) over the days from_day..to_day, per
-- group: group_by is 'department', 'village', 'cell', 'source', 'category' (小类), 'major'
-- (大类) or 'township' (one group). An indicator is numerator / denominator, each a
-- weighted sum of measures given by the bound lists ind_keys, ind_roles, ind_measures,
-- ind_coefs (data/analysis.toml through queries/analysis_config.py); both sides are
-- returned beside the value, which is NULL when the denominator is not positive (reason
-- 'no_denominator'), or when the indicator is one of need_keys (it counts what only the
-- township's own lifecycle records: feedback, rework, extension, sign-for deadline,
-- follow-up) and the group has no matter of that lifecycle, only imported ones, created
-- before to_day ends (reason 'not_recorded'): an export that never recorded a field reads
-- "—", never 0 %.
-- Measures: the columns of indicator_facts (migration 011): indicator_rollup's, plus what
-- is still pending at $now (due_pending_close, due_pending_feedback, due_suspended_pending,
-- sign_pending). Matters without a department / village / cell count as -1; group_key is
-- text; group_name is NULL for -1 and for sources (their names are in dashboard/i18n/common.toml).
-- Filters (NULL: all): villages, sources, majors (大类), depts, cell_ids (网格), category_ids (小类).
-- Days from_day..to_day both included: the API's half-open [from, to) passes to − 1 day.
-- returns: group_key, group_name, group_name_en, indicator, numerator, denominator, value, reason
-- params: scope, villages, sources, majors, depts, cell_ids, category_ids, from_day, to_day, now, group_by
-- params: ind_keys, ind_roles, ind_measures, ind_coefs, need_keys
WITH grouped AS (
    SELECT CASE $group_by
               WHEN 'department' THEN CAST(dept_id AS VARCHAR)
               WHEN 'village' THEN CAST(village_id AS VARCHAR)
               WHEN 'cell' THEN CAST(cell_id AS VARCHAR)
               WHEN 'source' THEN source
               WHEN 'category' THEN CAST(category_id AS VARCHAR)
               WHEN 'major' THEN major_code
               ELSE 'township' END AS group_key,
           * EXCLUDE (day, dept_id, village_id, cell_id, source, category_id, major_code)
    FROM indicator_facts($scope, $villages, $sources, $majors, $depts, $cell_ids, $category_ids, $now)
    WHERE day BETWEEN CAST($from_day AS DATE) AND CAST($to_day AS DATE)
),
sums AS (
    SELECT group_key, CAST(sum(COLUMNS(* EXCLUDE (group_key))) AS DOUBLE)
    FROM grouped
    GROUP BY group_key
),
measures AS (
    UNPIVOT sums ON COLUMNS(* EXCLUDE (group_key)) INTO NAME measure VALUE n
),
config AS (
    SELECT unnest($ind_keys::VARCHAR[]) AS indicator, unnest($ind_roles::VARCHAR[]) AS role,
           unnest($ind_measures::VARCHAR[]) AS measure, unnest($ind_coefs::DOUBLE[]) AS coef
),
rates AS (
    SELECT g.group_key, c.indicator,
           coalesce(sum(c.coef * coalesce(m.n, 0)) FILTER (WHERE c.role = 'numerator'), 0) AS numerator,
           coalesce(sum(c.coef * coalesce(m.n, 0)) FILTER (WHERE c.role = 'denominator'), 0) AS denominator
    FROM (SELECT DISTINCT group_key FROM sums) g
    CROSS JOIN config c
    LEFT JOIN measures m ON m.group_key = g.group_key AND m.measure = c.measure
    GROUP BY g.group_key, c.indicator
),
lifecycle AS (
    SELECT CASE $group_by
               WHEN 'department' THEN CAST(coalesce(lead_dept_id, -1) AS VARCHAR)
               WHEN 'village' THEN CAST(coalesce(village_id, -1) AS VARCHAR)
               WHEN 'cell' THEN CAST(coalesce(cell_id, -1) AS VARCHAR)
               WHEN 'source' THEN source
               WHEN 'category' THEN CAST(coalesce(category_id, -1) AS VARCHAR)
               WHEN 'major' THEN coalesce(major_code, '')
               ELSE 'township' END AS group_key,
           count(*) AS n
    FROM matters
    WHERE origin <> 'import' AND created_at < CAST($to_day AS DATE) + 1
      AND matches_filters($scope, $villages, $sources, $majors, $depts, coalesce(village_id, -1), source,
                          coalesce(major_code, ''), coalesce(lead_dept_id, -1))
      AND ($cell_ids::INTEGER[] IS NULL OR list_contains($cell_ids::INTEGER[], coalesce(cell_id, -1)))
      AND ($category_ids::INTEGER[] IS NULL OR list_contains($category_ids::INTEGER[], coalesce(category_id, -1)))
    GROUP BY ALL
),
names AS (
    SELECT 'department' AS kind, CAST(dept_id AS VARCHAR) AS key, name, name_en FROM departments
    UNION ALL
    SELECT level, CAST(area_id AS VARCHAR), name, NULL FROM areas WHERE level IN ('village', 'cell')
    UNION ALL
    SELECT 'category', CAST(category_id AS VARCHAR), name, name_en FROM categories
    UNION ALL
    SELECT 'major', major_code, any_value(major_name), any_value(major_name_en) FROM categories GROUP BY major_code
)
SELECT r.group_key, n.name AS group_name, n.name_en AS group_name_en, r.indicator,
       r.numerator, r.denominator,
       CASE WHEN list_contains($need_keys::VARCHAR[], r.indicator) AND l.n IS NULL THEN NULL
            WHEN r.denominator > 0 THEN r.numerator / r.denominator END AS value,
       CASE WHEN list_contains($need_keys::VARCHAR[], r.indicator) AND l.n IS NULL THEN 'not_recorded'
            WHEN r.denominator <= 0 THEN 'no_denominator' END AS reason
FROM rates r
LEFT JOIN names n ON n.kind = $group_by AND n.key = r.group_key
LEFT JOIN lifecycle l ON l.group_key = r.group_key
ORDER BY try_cast(r.group_key AS INTEGER) NULLS LAST, r.group_key,
         list_position($ind_keys::VARCHAR[], r.indicator);
