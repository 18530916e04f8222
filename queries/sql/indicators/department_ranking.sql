-- The department ranking by the weighted score 综合指标值 (DOMAIN.md §7) over from_day..to_day,
-- with month-on-month (环比) and year-on-year (同比) change. The score adds, for each term of
-- score_keys / score_weights / score_inverted, weight × rate (weight × (1 − rate) when
-- inverted); terms without a denominator are left out and the rest scaled up to the full
-- weight; plus the volume score volume_points × volume ÷ the largest department's volume
-- (volume = the sum of the measure volume_measure). Rates follow the same indicator lists
-- and facts (indicator_facts, migration 011) as indicators/by_group. 环比 compares with the
-- previous period: the previous month(s) when the period is whole calendar months, the same
-- days of the previous month(s) when it starts on a month's first day (month to date),
-- otherwise the same number of days just before; 同比 with the same days a year earlier.
-- Ranks count departments with a score; terms lists the current period's terms (indicator,
-- weight, inverted, value, numerator, denominator, points, reason). A term whose indicator is
-- one of need_keys counts only for a department with matters of the township's own lifecycle
-- created before the period ends (an import records no rework, feedback …): without them
-- the term is left out (reason 'not_recorded'), like a term without a denominator
-- ('no_denominator'), and the other terms are scaled up; no term left: no score, no rank.
-- Days from_day..to_day both included (the API's half-open [from, to) passes to − 1 day).
-- Departments with matters in
-- scope in any of the three periods are listed, best first. Filters (NULL: all): villages,
-- sources, majors (大类), depts, cell_ids (网格), category_ids (小类).
-- returns: dept_id, code, name, name_en, rank, score, volume, volume_score, terms
-- returns: prev_from, prev_to, prev_rank, prev_score, mom_change
-- returns: yoy_from, yoy_to, yoy_rank, yoy_score, yoy_change
-- params: scope, villages, sources, majors, depts, cell_ids, category_ids, from_day, to_day, now
-- params: ind_keys, ind_roles, ind_measures, ind_coefs, need_keys
-- params: score_keys, score_weights, score_inverted, volume_measure, volume_points
WITH bounds AS (
    SELECT CAST($from_day AS DATE) AS f, CAST($to_day AS DATE) AS t,
           CAST($from_day AS DATE) = date_trunc('month', CAST($from_day AS DATE))
               AND CAST($to_day AS DATE) = last_day(CAST($to_day AS DATE)) AS whole_months,
           CAST($from_day AS DATE) = date_trunc('month', CAST($from_day AS DATE)) AS month_to_date,
           datediff('month', CAST($from_day AS DATE), CAST($to_day AS DATE)) + 1 AS months
),
periods AS (
    SELECT 'current' AS period, f AS p_from, t AS p_to FROM bounds
    UNION ALL
    SELECT 'previous',
           CASE WHEN whole_months OR month_to_date THEN CAST(f - to_months(CAST(months AS INTEGER)) AS DATE)
                ELSE CAST(f - CAST(t - f + 1 AS INTEGER) AS DATE) END,
           CASE WHEN month_to_date AND NOT whole_months THEN CAST(t - to_months(CAST(months AS INTEGER)) AS DATE)
                ELSE CAST(f - 1 AS DATE) END
    FROM bounds
    UNION ALL
    SELECT 'last_year', CAST(f - INTERVAL 1 YEAR AS DATE), CAST(t - INTERVAL 1 YEAR AS DATE) FROM bounds
),
in_periods AS (
    SELECT p.period, x.* EXCLUDE (day, village_id, source, major_code, cell_id, category_id)
    FROM indicator_facts($scope, $villages, $sources, $majors, $depts, $cell_ids, $category_ids, $now) x
    JOIN periods p ON x.day BETWEEN p.p_from AND p.p_to
    WHERE x.dept_id > 0
),
sums AS (
    SELECT period, dept_id, CAST(sum(COLUMNS(* EXCLUDE (period, dept_id))) AS DOUBLE)
    FROM in_periods
    GROUP BY period, dept_id
),
measures AS (
    UNPIVOT sums ON COLUMNS(* EXCLUDE (period, dept_id)) INTO NAME measure VALUE n
),
config AS (
    SELECT unnest($ind_keys::VARCHAR[]) AS indicator, unnest($ind_roles::VARCHAR[]) AS role,
           unnest($ind_measures::VARCHAR[]) AS measure, unnest($ind_coefs::DOUBLE[]) AS coef
),
score_config AS (
    SELECT unnest($score_keys::VARCHAR[]) AS indicator, unnest($score_weights::DOUBLE[]) AS weight,
           unnest($score_inverted::BOOLEAN[]) AS inverted
),
rates AS (
    SELECT s.period, s.dept_id, c.indicator,
           coalesce(sum(c.coef * coalesce(m.n, 0)) FILTER (WHERE c.role = 'numerator'), 0) AS numerator,
           coalesce(sum(c.coef * coalesce(m.n, 0)) FILTER (WHERE c.role = 'denominator'), 0) AS denominator
    FROM (SELECT DISTINCT period, dept_id FROM sums) s
    CROSS JOIN config c
    LEFT JOIN measures m ON m.period = s.period AND m.dept_id = s.dept_id AND m.measure = c.measure
    WHERE c.indicator IN (SELECT indicator FROM score_config)
    GROUP BY s.period, s.dept_id, c.indicator
),
lifecycle AS (
    SELECT p.period, m.lead_dept_id AS dept_id, count(*) AS n
    FROM matters m
    JOIN periods p ON m.created_at < p.p_to + 1
    WHERE m.origin <> 'import' AND m.lead_dept_id IS NOT NULL
      AND matches_filters($scope, $villages, $sources, $majors, $depts, coalesce(m.village_id, -1), m.source,
                          coalesce(m.major_code, ''), m.lead_dept_id)
      AND ($cell_ids::INTEGER[] IS NULL OR list_contains($cell_ids::INTEGER[], coalesce(m.cell_id, -1)))
      AND ($category_ids::INTEGER[] IS NULL OR list_contains($category_ids::INTEGER[], coalesce(m.category_id, -1)))
    GROUP BY ALL
),
judged AS (
    SELECT r.*, sc.weight, sc.inverted,
           CASE WHEN list_contains($need_keys::VARCHAR[], r.indicator) AND l.n IS NULL THEN 'not_recorded'
                WHEN r.denominator <= 0 THEN 'no_denominator' END AS reason
    FROM rates r
    JOIN score_config sc ON sc.indicator = r.indicator
    LEFT JOIN lifecycle l ON l.period = r.period AND l.dept_id = r.dept_id
),
terms AS (
    SELECT period, dept_id, indicator, weight, inverted, numerator, denominator, reason,
           CASE WHEN reason IS NULL THEN numerator / denominator END AS value,
           CASE WHEN reason IS NOT NULL THEN NULL
                WHEN inverted THEN weight * (1 - numerator / denominator)
                ELSE weight * numerator / denominator END AS points
    FROM judged
),
term_scores AS (
    SELECT period, dept_id,
           sum(points) * sum(weight) / nullif(sum(weight) FILTER (WHERE points IS NOT NULL), 0) AS term_points,
           list(struct_pack(indicator, weight, inverted, value, numerator, denominator, points, reason)
                ORDER BY list_position($score_keys::VARCHAR[], indicator)) AS terms
    FROM terms
    GROUP BY period, dept_id
),
volumes AS (
    SELECT period, dept_id, n AS volume,
           CASE WHEN max(n) OVER (PARTITION BY period) > 0
                THEN $volume_points * n / max(n) OVER (PARTITION BY period) ELSE 0 END AS volume_score
    FROM measures
    WHERE measure = $volume_measure
),
scores AS (
    SELECT t.period, t.dept_id, t.terms, coalesce(v.volume, 0) AS volume, coalesce(v.volume_score, 0) AS volume_score,
           t.term_points + coalesce(v.volume_score, 0) AS score
    FROM term_scores t
    LEFT JOIN volumes v ON v.period = t.period AND v.dept_id = t.dept_id
),
ranked AS (
    SELECT *, CASE WHEN score IS NOT NULL
                   THEN rank() OVER (PARTITION BY period ORDER BY score DESC NULLS LAST) END AS rank
    FROM scores
)
SELECT d.dept_id, d.code, d.name, d.name_en,
       c.rank, c.score, coalesce(c.volume, 0) AS volume, coalesce(c.volume_score, 0) AS volume_score, c.terms,
       pp.p_from AS prev_from, pp.p_to AS prev_to, p.rank AS prev_rank, p.score AS prev_score,
       c.score - p.score AS mom_change,
       yp.p_from AS yoy_from, yp.p_to AS yoy_to, y.rank AS yoy_rank, y.score AS yoy_score,
       c.score - y.score AS yoy_change
FROM departments d
CROSS JOIN (SELECT * FROM periods WHERE period = 'previous') pp
CROSS JOIN (SELECT * FROM periods WHERE period = 'last_year') yp
LEFT JOIN ranked c ON c.dept_id = d.dept_id AND c.period = 'current'
LEFT JOIN ranked p ON p.dept_id = d.dept_id AND p.period = 'previous'
LEFT JOIN ranked y ON y.dept_id = d.dept_id AND y.period = 'last_year'
WHERE c.dept_id IS NOT NULL OR p.dept_id IS NOT NULL OR y.dept_id IS NOT NULL
ORDER BY c.rank NULLS LAST, d.dept_id;
