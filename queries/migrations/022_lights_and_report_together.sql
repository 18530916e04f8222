-- Restatements (CREATE OR REPLACE, as 011 says) where two changes of one round met: 017
-- gave matters with a due time but no working-time limit (imported ones) their calendar-span
-- lights and restated the counts report, 016 had left merged duplicates out of that report,
-- and 021 restated the live lights through the shared light_of macro. This keeps all three.
--
-- The light with the calendar-span rule: a matter with a due time and no limit is yellow
-- when less than yellow_share of the span acceptance (created_at) → due is left; every
-- other matter as light_of says. The live lights and time playback both use it.
CREATE OR REPLACE MACRO light_with_span(suspended_at, due_at, due_w, limit_min, created_at, now_ts, now_w,
                                        yellow_share) AS
    CASE
        WHEN suspended_at IS NULL AND due_at IS NOT NULL AND due_at > now_ts AND limit_min IS NULL
            THEN CASE WHEN due_at > created_at
                           AND epoch(due_at) - epoch(now_ts) < yellow_share * (epoch(due_at) - epoch(created_at))
                      THEN 'yellow' ELSE 'green' END
        ELSE light_of(suspended_at, due_at, due_w, limit_min, now_ts, now_w, yellow_share)
    END;

CREATE OR REPLACE MACRO open_matter_lights(now_ts, yellow_share) AS TABLE
WITH now_w AS (SELECT work_min_at(now_ts) AS w)
SELECT o.*,
       remaining_of(o.suspended_at, o.remaining_min_at_suspend, o.due_at, o.due_work_min, now_w.w) AS remaining_min,
       light_with_span(o.suspended_at, o.due_at, o.due_work_min, o.limit_min, o.created_at, now_ts, now_w.w,
                       yellow_share) AS light
FROM open_matters o
CROSS JOIN now_w;

-- The counts report of 017, leaving merged duplicates out as 016 did.
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
      AND m.duplicate_of IS NULL
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
