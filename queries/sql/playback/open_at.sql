-- The matters open at instant $at as the event log has them (time playback): each
-- matter registered by then whose events up to $at leave it in one of $open_statuses,
-- with its status, lead department and supervision count folded from those events, and
-- its light and working minutes left at $now (the minute the live board computes lights
-- at). needs_fold: the matter has an event that moves its deadline or stops its clock
-- (extend, suspend, resume, reopen, redue) at any time, so its deadline at $at is not the
-- one set at registration; the caller folds its events through lifecycle.step and its
-- light columns here are NULL. extended_min: every extension's minutes (the registration's
-- limit is limit_min minus them). Which matters can have been open at $at: registered by
-- then, and open now or closed (voided) after $at; the rest were closed at $at already.
-- returns: matter_id, status, lead_dept_id, supervision_count, cell_id, village_id, source, major_code
-- returns: created_at, needs_fold, extended_min, limit_min, due_at, remaining_min, light
-- params: at, now, scope, yellow_share, open_statuses
WITH m AS (
    SELECT matter_id, cell_id, village_id, source, major_code, created_at, due_at, limit_min
    FROM matters
    WHERE created_at <= $at
      AND (list_contains($open_statuses::VARCHAR[], status) OR coalesce(closed_at, voided_at) > $at)
      AND list_contains($scope::INTEGER[], coalesce(village_id, -1))
),
folded AS (
    SELECT e.matter_id,
           arg_max(e.to_status, e.seq) FILTER (WHERE e.occurred_at <= $at) AS status,
           arg_max_null(CASE WHEN e.action = 'dispatch' THEN e.dept_id END, e.seq)
               FILTER (WHERE e.occurred_at <= $at AND e.action IN ('dispatch', 'return')) AS lead_dept_id,
           count(*) FILTER (WHERE e.occurred_at <= $at AND e.action = 'supervise') AS supervision_count,
           bool_or(e.action IN ('extend', 'suspend', 'resume', 'reopen', 'redue')) AS needs_fold,
           coalesce(sum(e.minutes) FILTER (WHERE e.action = 'extend'), 0) AS extended_min
    FROM events e
    JOIN m ON m.matter_id = e.matter_id
    GROUP BY e.matter_id
),
now_w AS (SELECT work_min_at($now) AS w)
SELECT m.matter_id, f.status, f.lead_dept_id, CAST(f.supervision_count AS INTEGER) AS supervision_count,
       m.cell_id, m.village_id, m.source, m.major_code, m.created_at, f.needs_fold,
       CAST(f.extended_min AS INTEGER) AS extended_min, m.limit_min,
       CASE WHEN NOT f.needs_fold THEN m.due_at END AS due_at,
       CASE WHEN NOT f.needs_fold THEN
           remaining_of(NULL, NULL, m.due_at,
                        d.cum_min_before + day_work_min(hour(m.due_at) * 60 + minute(m.due_at) + second(m.due_at) / 60.0,
                                                        d.am_start, d.am_end, d.pm_start, d.pm_end), now_w.w)
       END AS remaining_min,
       CASE WHEN NOT f.needs_fold THEN
           light_with_span(NULL, m.due_at,
                           d.cum_min_before + day_work_min(hour(m.due_at) * 60 + minute(m.due_at)
                                                           + second(m.due_at) / 60.0,
                                                           d.am_start, d.am_end, d.pm_start, d.pm_end),
                           m.limit_min, m.created_at, $now, now_w.w, $yellow_share)
       END AS light
FROM m
JOIN folded f ON f.matter_id = m.matter_id
CROSS JOIN now_w
LEFT JOIN work_days d ON d.day = CAST(m.due_at AS DATE)
WHERE list_contains($open_statuses::VARCHAR[], f.status)
ORDER BY m.matter_id;
