-- Two restatements (CREATE OR REPLACE, as 011 says).
--
-- 1. Lights for matters that have a due time but no working-time limit (imported exports carry
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

-- 2. The counts report per village too (the GeoJSON export of villages with their counts).
-- The counts report over the half-open period [period_start, period_end), for the matters
-- in scope (a matter without a village counts as village -1), per group: group_by is
-- 'cell' (the cell's code, '' without one), 'village' (the village's code, '' without one),
-- 'department' (the lead department's name, '' when not dispatched) or anything else for
-- one group '' (the township). received =
-- created in the period; closed = closed in the period; closed_with_due = those of them
-- with a due time; closed_on_time = those closed at or before it; open_at_end = created
-- before the end and not closed (nor voided) before it; overdue_at_end = those of them with
-- a due time before the end. Groups with every count zero are left out.
CREATE OR REPLACE MACRO report_counts(scope, period_start, period_end, group_by) AS TABLE
WITH flags AS (
    SELECT CASE group_by
               WHEN 'cell' THEN coalesce(c.code, '')
               WHEN 'village' THEN coalesce(v.code, '')
               WHEN 'department' THEN coalesce(d.name, '')
               ELSE '' END AS group_key,
           m.created_at >= period_start AND m.created_at < period_end AS received,
           coalesce(m.closed_at >= period_start AND m.closed_at < period_end, false) AS closed,
           m.due_at,
           m.closed_at,
           m.created_at < period_end
               AND (m.closed_at IS NULL OR m.closed_at >= period_end)
               AND (m.voided_at IS NULL OR m.voided_at >= period_end) AS open_at_end
    FROM matters m
    LEFT JOIN areas c ON c.area_id = m.cell_id AND c.level = 'cell'
    LEFT JOIN areas v ON v.area_id = m.village_id AND v.level = 'village'
    LEFT JOIN departments d ON d.dept_id = m.lead_dept_id
    WHERE list_contains(scope::INTEGER[], coalesce(m.village_id, -1))
)
SELECT group_key,
       count(*) FILTER (WHERE received) AS received_count,
       count(*) FILTER (WHERE closed) AS closed_count,
       count(*) FILTER (WHERE closed AND due_at IS NOT NULL) AS closed_with_due_count,
       count(*) FILTER (WHERE closed AND closed_at <= due_at) AS closed_on_time_count,
       count(*) FILTER (WHERE open_at_end) AS open_at_end_count,
       count(*) FILTER (WHERE open_at_end AND due_at < period_end) AS overdue_at_end_count
FROM flags
WHERE received OR closed OR open_at_end
GROUP BY group_key;
