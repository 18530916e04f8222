-- Matters received per hour of the week (ISO weekday 1 = Monday … 7, hour 0 … 23) for the
-- analysis page's heatmap: the squares where some arrived (the page fills the rest with zero).
-- The cohort: the macro analysis_cohort (migration 009), the filters' one definition.
-- returns: dow, hour, received
-- params: scope, villages, cell_ids, sources, majors, category_ids, depts, week_hours
-- params: from_day, to_day
SELECT CAST(dow AS INTEGER) AS dow, CAST(hour AS INTEGER) AS hour, count(*) AS received
FROM (
    SELECT isodow(m.created_at) AS dow, hour(m.created_at) AS hour
    FROM analysis_cohort($scope, $villages, $cell_ids, $sources, $majors, $category_ids, $depts, $week_hours,
                             $from_day, $to_day) m
) cohort
GROUP BY dow, hour
ORDER BY dow, hour;
