-- The distribution of handling time (处置时长, DOMAIN.md §7: working hours from dispatch to
-- feedback) of the cohort's matters that have had feedback, per group: group_by 'major'
-- (大类), 'department' (lead department), 'source' or 'township' (one group, 'all'); with
-- the count, mean, 10/25/50/75/90 % quantiles and how many fed back by their deadline.
-- group_name is NULL for sources and 'all'. Largest groups first.
-- The cohort: the macro analysis_cohort (migration 009), the filters' one definition.
-- returns: group_key, group_name, group_name_en, handled, handled_on_time, mean_hours
-- returns: p10, p25, p50, p75, p90
-- params: scope, villages, cell_ids, sources, majors, category_ids, depts, week_hours
-- params: from_day, to_day, group_by
WITH cohort AS (
    SELECT CASE $group_by
               WHEN 'major' THEN coalesce(m.major_code, '')
               WHEN 'department' THEN CAST(coalesce(m.lead_dept_id, -1) AS VARCHAR)
               WHEN 'source' THEN m.source
               ELSE 'all' END AS group_key,
           -- work_min_at(feedback_at) − work_min_at(dispatched_at), as two joins (the macro's
           -- correlated look-up costs ten times as much over a long period)
           greatest((f.cum_min_before + day_work_min(hour(m.feedback_at) * 60 + minute(m.feedback_at)
                                                     + second(m.feedback_at) / 60.0,
                                                     f.am_start, f.am_end, f.pm_start, f.pm_end))
                    - (d.cum_min_before + day_work_min(hour(m.dispatched_at) * 60 + minute(m.dispatched_at)
                                                       + second(m.dispatched_at) / 60.0,
                                                       d.am_start, d.am_end, d.pm_start, d.pm_end)), 0) / 60.0
               AS hours,
           m.due_at IS NOT NULL AND m.feedback_at <= m.due_at AS on_time
    FROM analysis_cohort($scope, $villages, $cell_ids, $sources, $majors, $category_ids, $depts, $week_hours,
                             $from_day, $to_day) m
    JOIN work_days f ON f.day = CAST(m.feedback_at AS DATE)
    JOIN work_days d ON d.day = CAST(m.dispatched_at AS DATE)
),
names AS (
    SELECT 'department' AS kind, CAST(dept_id AS VARCHAR) AS key, name, name_en FROM departments
    UNION ALL
    SELECT 'major', major_code, any_value(major_name ORDER BY code), any_value(major_name_en ORDER BY code)
    FROM categories GROUP BY major_code
)
SELECT c.group_key, n.name AS group_name, n.name_en AS group_name_en,
       count(*) AS handled, count(*) FILTER (WHERE c.on_time) AS handled_on_time,
       avg(c.hours) AS mean_hours,
       quantile_cont(c.hours, 0.10) AS p10, quantile_cont(c.hours, 0.25) AS p25,
       quantile_cont(c.hours, 0.50) AS p50, quantile_cont(c.hours, 0.75) AS p75,
       quantile_cont(c.hours, 0.90) AS p90
FROM cohort c
LEFT JOIN names n ON n.kind = $group_by AND n.key = c.group_key
GROUP BY c.group_key, n.name, n.name_en
ORDER BY handled DESC, c.group_key;
