-- The sub-categories (小类) most received, at most $limit, most first, each with its 大类 and
-- its share of the cohort; category_id -1 (no category yet) has no name.
-- The cohort: the macro analysis_cohort (migration 009), the filters' one definition.
-- returns: category_id, code, name, name_en, major_code, major_name, major_name_en, received, share
-- params: scope, villages, cell_ids, sources, majors, category_ids, depts, week_hours
-- params: from_day, to_day, limit
WITH cohort AS (
    SELECT coalesce(m.category_id, -1) AS category_id
    FROM analysis_cohort($scope, $villages, $cell_ids, $sources, $majors, $category_ids, $depts, $week_hours,
                             $from_day, $to_day) m
),
counts AS (
    SELECT category_id, count(*) AS received, sum(count(*)) OVER () AS total
    FROM cohort
    GROUP BY category_id
)
SELECT c.category_id, k.code, k.name, k.name_en, k.major_code, k.major_name, k.major_name_en,
       c.received, CAST(c.received AS DOUBLE) / c.total AS share
FROM counts c
LEFT JOIN categories k ON k.category_id = c.category_id
ORDER BY c.received DESC, k.code NULLS LAST
LIMIT $limit;
