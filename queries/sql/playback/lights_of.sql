-- The light and working minutes left at $now of matters given by their folded state
-- (time playback): parallel lists of ids, deadlines (NULL: no limit), limits, whether
-- the clock is stopped and the minutes left when it stopped; one row a matter.
-- returns: matter_id, remaining_min, light
-- params: ids, due_ats, limit_mins, paused, paused_remaining, now, yellow_share
WITH given AS (
    SELECT unnest($ids::BIGINT[]) AS matter_id, unnest($due_ats::TIMESTAMP[]) AS due_at,
           unnest($limit_mins::INTEGER[]) AS limit_min, unnest($paused::BOOLEAN[]) AS paused,
           unnest($paused_remaining::INTEGER[]) AS paused_remaining
),
now_w AS (SELECT work_min_at($now) AS w)
SELECT g.matter_id,
       remaining_of(CASE WHEN g.paused THEN $now END, g.paused_remaining, g.due_at,
                    d.cum_min_before + day_work_min(hour(g.due_at) * 60 + minute(g.due_at) + second(g.due_at) / 60.0,
                                                    d.am_start, d.am_end, d.pm_start, d.pm_end), now_w.w) AS remaining_min,
       light_of(CASE WHEN g.paused THEN $now END, g.due_at,
                d.cum_min_before + day_work_min(hour(g.due_at) * 60 + minute(g.due_at) + second(g.due_at) / 60.0,
                                                d.am_start, d.am_end, d.pm_start, d.pm_end),
                g.limit_min, $now, now_w.w, $yellow_share) AS light
FROM given g
CROSS JOIN now_w
LEFT JOIN work_days d ON d.day = CAST(g.due_at AS DATE)
ORDER BY g.matter_id;
