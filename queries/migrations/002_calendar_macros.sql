-- Working-time arithmetic in SQL and the rollup's one definition.

-- Working minutes worked on one day up to a time of day (minutes after midnight).
CREATE MACRO day_work_min(tod_min, am_start, am_end, pm_start, pm_end) AS
    least(greatest(tod_min - am_start, 0), am_end - am_start)
    + least(greatest(tod_min - pm_start, 0), pm_end - pm_start);

-- Working minutes from the calendar's start up to an instant (NULL outside the calendar).
CREATE MACRO work_min_at(ts) AS (
    SELECT d.cum_min_before
           + day_work_min(hour(ts) * 60 + minute(ts) + second(ts) / 60.0,
                          d.am_start, d.am_end, d.pm_start, d.pm_end)
    FROM work_days d
    WHERE d.day = CAST(ts AS DATE)
);

-- What each matter contributes to the daily rollup. The writer adds a changed matter's
-- contributions after the change and subtracts them before, so the rollup always equals
-- a rebuild from this view.
CREATE VIEW matter_contributions AS
SELECT CAST(created_at AS DATE) AS day, coalesce(village_id, -1) AS village_id,
       coalesce(lead_dept_id, -1) AS dept_id, source, coalesce(major_code, '') AS major_code,
       1 AS received, 0 AS closed, 0 AS closed_with_due, 0 AS closed_on_time,
       0 AS followed_up, 0 AS satisfied, 0 AS basic_satisfied, 0 AS unsatisfied, matter_id
FROM matters
UNION ALL
SELECT CAST(closed_at AS DATE), coalesce(village_id, -1), coalesce(lead_dept_id, -1), source,
       coalesce(major_code, ''),
       0, 1, (due_at IS NOT NULL)::INTEGER, (due_at IS NOT NULL AND closed_at <= due_at)::INTEGER,
       0, 0, 0, 0, matter_id
FROM matters WHERE closed_at IS NOT NULL
UNION ALL
SELECT CAST(followed_up_at AS DATE), coalesce(village_id, -1), coalesce(lead_dept_id, -1), source,
       coalesce(major_code, ''),
       0, 0, 0, 0, 1,
       (satisfaction = 'satisfied')::INTEGER, (satisfaction = 'basic')::INTEGER,
       (satisfaction = 'unsatisfied')::INTEGER, matter_id
FROM matters WHERE followed_up_at IS NOT NULL;

-- The light of every open matter at an instant (DOMAIN.md §4): red when overdue, yellow
-- when less than yellow_share of its limit is left, green otherwise; paused while the
-- clock is stopped (缓办); none without a time limit. remaining_min is working minutes
-- (negative when overdue).
CREATE MACRO open_matter_lights(now_ts, yellow_share) AS TABLE
WITH now_w AS (SELECT work_min_at(now_ts) AS w)
SELECT o.*,
       CASE
           WHEN o.suspended_at IS NOT NULL THEN o.remaining_min_at_suspend
           WHEN o.due_at IS NULL THEN NULL
           ELSE CAST(round(d.cum_min_before
                           + day_work_min(hour(o.due_at) * 60 + minute(o.due_at) + second(o.due_at) / 60.0,
                                          d.am_start, d.am_end, d.pm_start, d.pm_end)
                           - now_w.w) AS INTEGER)
       END AS remaining_min,
       CASE
           WHEN o.suspended_at IS NOT NULL THEN 'paused'
           WHEN o.due_at IS NULL THEN 'none'
           WHEN o.due_at <= now_ts THEN 'red'
           WHEN d.cum_min_before
                + day_work_min(hour(o.due_at) * 60 + minute(o.due_at) + second(o.due_at) / 60.0,
                               d.am_start, d.am_end, d.pm_start, d.pm_end)
                - now_w.w < yellow_share * o.limit_min THEN 'yellow'
           ELSE 'green'
       END AS light
FROM open_matters o
CROSS JOIN now_w
LEFT JOIN work_days d ON d.day = CAST(o.due_at AS DATE);
