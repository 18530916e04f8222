-- The source mix (DOMAIN.md §2): matters received from each of the four sources, in the
-- filter bar's order, zero where none came, with the share of the cohort (NULL when empty).
-- The cohort: the macro analysis_cohort (migration 009), the filters' one definition.
-- returns: source, received, share
-- params: scope, villages, cell_ids, sources, majors, category_ids, depts, week_hours
-- params: from_day, to_day
WITH cohort AS (
    SELECT m.source
    FROM analysis_cohort($scope, $villages, $cell_ids, $sources, $majors, $category_ids, $depts, $week_hours,
                             $from_day, $to_day) m
),
counts AS (
    SELECT source, count(*) AS n FROM cohort GROUP BY source
)
SELECT s.source, coalesce(c.n, 0) AS received,
       CAST(coalesce(c.n, 0) AS DOUBLE) / nullif(sum(coalesce(c.n, 0)) OVER (), 0) AS share
FROM (VALUES (1, 'transfer'), (2, 'inspection'), (3, 'grid'), (4, 'public')) AS s(sort_order, source)
LEFT JOIN counts c ON c.source = s.source
ORDER BY s.sort_order;
