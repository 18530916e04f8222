-- Matters received per grid cell (网格), for the analysis page's map: only cells with
-- matters (the page fills the rest with zero).
-- The cohort: the macro analysis_cohort (migration 009), the filters' one definition.
-- returns: cell_id, received
-- params: scope, villages, cell_ids, sources, majors, category_ids, depts, week_hours
-- params: from_day, to_day
SELECT cell_id, count(*) AS received
FROM (
    SELECT m.cell_id
    FROM analysis_cohort($scope, $villages, $cell_ids, $sources, $majors, $category_ids, $depts, $week_hours,
                             $from_day, $to_day) m
) cohort
WHERE cell_id IS NOT NULL
GROUP BY cell_id
ORDER BY cell_id;
