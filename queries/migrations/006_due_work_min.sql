-- The current-state table keeps each open matter's deadline on the working-time axis
-- (W(due_at)), written with the matter, so the lights are arithmetic at read time instead
-- of a join with the calendar on every refresh. A change to work_days must rebuild the
-- derived tables (queries.derived.rebuild_derived).
ALTER TABLE open_matters ADD COLUMN due_work_min DOUBLE;
UPDATE open_matters o
SET due_work_min = d.cum_min_before
    + day_work_min(hour(o.due_at) * 60 + minute(o.due_at) + second(o.due_at) / 60.0,
                   d.am_start, d.am_end, d.pm_start, d.pm_end)
FROM work_days d
WHERE d.day = CAST(o.due_at AS DATE);

CREATE OR REPLACE MACRO open_matter_lights(now_ts, yellow_share) AS TABLE
WITH now_w AS (SELECT work_min_at(now_ts) AS w)
SELECT o.*,
       CASE
           WHEN o.suspended_at IS NOT NULL THEN o.remaining_min_at_suspend
           WHEN o.due_at IS NULL THEN NULL
           ELSE CAST(round(o.due_work_min - now_w.w) AS INTEGER)
       END AS remaining_min,
       CASE
           WHEN o.suspended_at IS NOT NULL THEN 'paused'
           WHEN o.due_at IS NULL THEN 'none'
           WHEN o.due_at <= now_ts THEN 'red'
           WHEN o.due_work_min - now_w.w < yellow_share * o.limit_min THEN 'yellow'
           ELSE 'green'
       END AS light
FROM open_matters o
CROSS JOIN now_w;
