-- Follow-up (回访) and satisfaction of the cohort per period (grain 'day', 'week' or 'month',
-- by the day received; period is the period's first day): how many are closed, followed up,
-- and answered satisfied, basically satisfied or unsatisfied. The page computes the rate
-- with the configured 满意率 rule (data/analysis.toml).
-- The cohort: the macro analysis_cohort (migration 009), the filters' one definition.
-- returns: period, received, closed, followed_up, satisfied, basic_satisfied, unsatisfied
-- params: scope, villages, cell_ids, sources, majors, category_ids, depts, week_hours
-- params: from_day, to_day, grain
WITH cohort AS (
    SELECT CAST(CASE $grain WHEN 'month' THEN date_trunc('month', m.created_at)
                            WHEN 'week' THEN date_trunc('week', m.created_at)
                            ELSE date_trunc('day', m.created_at) END AS DATE) AS period,
           m.closed_at, m.followed_up_at, m.satisfaction
    FROM analysis_cohort($scope, $villages, $cell_ids, $sources, $majors, $category_ids, $depts, $week_hours,
                             $from_day, $to_day) m
)
SELECT period, count(*) AS received, count(closed_at) AS closed, count(followed_up_at) AS followed_up,
       count(*) FILTER (WHERE satisfaction = 'satisfied') AS satisfied,
       count(*) FILTER (WHERE satisfaction = 'basic') AS basic_satisfied,
       count(*) FILTER (WHERE satisfaction = 'unsatisfied') AS unsatisfied
FROM cohort
GROUP BY period
ORDER BY period;
