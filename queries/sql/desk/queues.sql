-- What needs action now at the dispatch desk (调度台), as six queues, each most urgent
-- first and cut to $limit rows, with the queue's full size in queue_total:
--   new           registered or returned (退回): waiting to be dispatched (派单)
--   sign_overdue  dispatched, not signed for (签收), and the sign-for deadline has passed
--   verify        feedback (反馈) waiting for the center's verification (核查)
--   due_soon      yellow light: less than $yellow_share of the limit left
--   overdue       red light: past the time limit
--   follow_up     closed (办结) in the last $follow_up_days days, not yet followed up (回访)
-- Open queues sort by light (red, yellow, green, paused, none), then working minutes left;
-- sign_overdue by its sign-for deadline and follow_up by its closing time, oldest first.
-- The open queues read the current-state table; matters is joined for the dispatched
-- matters (their sign-for deadline), the recently closed ones, and the rows returned.
-- A matter can stand in more than one queue (dispatched long ago and overdue).
-- remaining_min: working minutes left (negative: overdue); wait_min: working minutes past
-- the sign-for deadline (sign_overdue only).
-- returns: queue, queue_total, matter_id, status, light, remaining_min, wait_min, source, urgent
-- returns: level, supervision_count, created_at, due_at, sign_due_at, closed_at
-- returns: category_name, category_name_en, dept_id, dept_name, dept_name_en, village_name
-- returns: cell_name, description, address
-- handled_by: a department user's department, whose matters alone (lead or co-handling) they
-- see; NULL for every other role.
-- params: scope, handled_by, now, yellow_share, follow_up_days, limit
WITH lit AS (
    SELECT matter_id, status, light, remaining_min, created_at,
           CASE light WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 WHEN 'green' THEN 2
                      WHEN 'paused' THEN 3 ELSE 4 END AS light_rank
    FROM open_matter_lights($now, $yellow_share)
    WHERE list_contains($scope::INTEGER[], coalesce(village_id, -1))
      AND ($handled_by::INTEGER IS NULL OR matter_id IN (
          SELECT h.matter_id FROM matters h WHERE h.lead_dept_id = $handled_by::INTEGER
              OR list_contains(coalesce(h.co_dept_ids, []::INTEGER[]), $handled_by::INTEGER)))
),
queued AS (
    SELECT 'new' AS queue, matter_id, light_rank AS k1, coalesce(remaining_min, 2147483647) AS k2, created_at
    FROM lit WHERE status IN ('registered', 'returned')
    UNION ALL
    SELECT 'sign_overdue', l.matter_id, epoch(m.sign_due_at), 0, l.created_at
    FROM lit l JOIN matters m ON m.matter_id = l.matter_id
    WHERE l.status = 'dispatched' AND m.sign_due_at <= $now::TIMESTAMP
    UNION ALL
    SELECT 'verify', matter_id, light_rank, coalesce(remaining_min, 2147483647), created_at
    FROM lit WHERE status = 'feedback'
    UNION ALL
    SELECT 'due_soon', matter_id, light_rank, coalesce(remaining_min, 2147483647), created_at
    FROM lit WHERE light = 'yellow'
    UNION ALL
    SELECT 'overdue', matter_id, light_rank, coalesce(remaining_min, 2147483647), created_at
    FROM lit WHERE light = 'red'
    UNION ALL
    SELECT 'follow_up', matter_id, epoch(closed_at), 0, created_at
    FROM matters
    WHERE status = 'closed' AND followed_up_at IS NULL
      AND closed_at >= $now::TIMESTAMP - to_days(CAST($follow_up_days AS INTEGER))
      AND list_contains($scope::INTEGER[], coalesce(village_id, -1))
      AND ($handled_by::INTEGER IS NULL OR lead_dept_id = $handled_by::INTEGER
       OR list_contains(coalesce(co_dept_ids, []::INTEGER[]), $handled_by::INTEGER))
),
ranked AS (
    SELECT queue, matter_id,
           count(*) OVER (PARTITION BY queue) AS queue_total,
           row_number() OVER (PARTITION BY queue ORDER BY k1, k2, created_at, matter_id) AS pos
    FROM queued
    QUALIFY pos <= $limit
)
SELECT r.queue, r.queue_total, r.matter_id, m.status, l.light, l.remaining_min,
       CASE WHEN r.queue = 'sign_overdue'
            THEN CAST(round(work_min_at($now::TIMESTAMP) - work_min_at(m.sign_due_at)) AS INTEGER) END AS wait_min,
       m.source, m.urgent, m.level, m.supervision_count, m.created_at, m.due_at, m.sign_due_at, m.closed_at,
       k.name AS category_name, k.name_en AS category_name_en,
       m.lead_dept_id AS dept_id, d.name AS dept_name, d.name_en AS dept_name_en,
       v.name AS village_name, c.name AS cell_name, m.description, m.address
FROM ranked r
JOIN matters m ON m.matter_id = r.matter_id
LEFT JOIN lit l ON l.matter_id = r.matter_id
LEFT JOIN categories k ON k.category_id = m.category_id
LEFT JOIN departments d ON d.dept_id = m.lead_dept_id
LEFT JOIN areas v ON v.area_id = m.village_id
LEFT JOIN areas c ON c.area_id = m.cell_id
ORDER BY CASE r.queue WHEN 'new' THEN 0 WHEN 'sign_overdue' THEN 1 WHEN 'verify' THEN 2
                      WHEN 'due_soon' THEN 3 WHEN 'overdue' THEN 4 ELSE 5 END, r.pos;
