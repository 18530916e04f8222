-- Follow-up (回访) and satisfaction of the cohort per period (grain 'day', 'week' or 'month',
-- by the day received; period is the period's first day): how many are closed, followed up,
-- and answered satisfied, basically satisfied or unsatisfied. The page computes the rate
-- with the configured 满意率 rule (data/analysis.toml).
-- The cohort (every analysis/* query): the matters received from from_day to to_day (whole
-- days), voided ones left out, in scope (no village: -1) and matching every filter, where
-- NULL means "all": villages, cell_ids, sources, majors (大类), category_ids (小类), depts
-- (lead department; -1 = not dispatched) and week_hours, the hours of the week they were
-- received in ((ISO weekday − 1) × 24 + hour, 0 … 167). The period bounds the scan.
-- returns: period, received, closed, followed_up, satisfied, basic_satisfied, unsatisfied
-- params: scope, villages, cell_ids, sources, majors, category_ids, depts, week_hours
-- params: from_day, to_day, grain
WITH cohort AS (
    SELECT CAST(CASE $grain WHEN 'month' THEN date_trunc('month', m.created_at)
                            WHEN 'week' THEN date_trunc('week', m.created_at)
                            ELSE date_trunc('day', m.created_at) END AS DATE) AS period,
           m.closed_at, m.followed_up_at, m.satisfaction
    FROM matters m
    WHERE m.created_at >= CAST($from_day AS DATE)
      AND m.created_at < CAST($to_day AS DATE) + INTERVAL 1 DAY
      AND m.voided_at IS NULL
      AND list_contains($scope::INTEGER[], coalesce(m.village_id, -1))
      AND ($villages::INTEGER[] IS NULL OR list_contains($villages::INTEGER[], coalesce(m.village_id, -1)))
      AND ($cell_ids::INTEGER[] IS NULL OR list_contains($cell_ids::INTEGER[], coalesce(m.cell_id, -1)))
      AND ($sources::VARCHAR[] IS NULL OR list_contains($sources::VARCHAR[], m.source))
      AND ($majors::VARCHAR[] IS NULL OR list_contains($majors::VARCHAR[], coalesce(m.major_code, '')))
      AND ($category_ids::INTEGER[] IS NULL OR list_contains($category_ids::INTEGER[], coalesce(m.category_id, -1)))
      AND ($depts::INTEGER[] IS NULL OR list_contains($depts::INTEGER[], coalesce(m.lead_dept_id, -1)))
      AND ($week_hours::INTEGER[] IS NULL
           OR list_contains($week_hours::INTEGER[], (isodow(m.created_at) - 1) * 24 + hour(m.created_at)))
)
SELECT period, count(*) AS received, count(closed_at) AS closed, count(followed_up_at) AS followed_up,
       count(*) FILTER (WHERE satisfaction = 'satisfied') AS satisfied,
       count(*) FILTER (WHERE satisfaction = 'basic') AS basic_satisfied,
       count(*) FILTER (WHERE satisfaction = 'unsatisfied') AS unsatisfied
FROM cohort
GROUP BY period
ORDER BY period;
