-- Lights for matters that have a due time but no working-time limit (imported exports carry
-- a target date, not a limit): red once the due time has passed, as for every matter, and
-- yellow when less than yellow_share of the calendar span from acceptance (created_at) to
-- the due time is left. Matters with a limit keep the working-time rule of 006.
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
           WHEN o.limit_min IS NULL
               THEN CASE WHEN o.due_at > o.created_at
                              AND epoch(o.due_at) - epoch(now_ts) < yellow_share * (epoch(o.due_at) - epoch(o.created_at))
                         THEN 'yellow' ELSE 'green' END
           WHEN o.due_work_min - now_w.w < yellow_share * o.limit_min THEN 'yellow'
           ELSE 'green'
       END AS light
FROM open_matters o
CROSS JOIN now_w;
