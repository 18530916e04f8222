-- The events of the matters $ids up to instant $at, in order, for folding through
-- lifecycle.replay (time playback of matters whose deadline moved), with each matter's
-- registration time.
-- returns: matter_id, created_at, seq, action, occurred_at, from_status, to_status, dept_id, minutes, value
-- params: ids, at
WITH wanted AS (SELECT DISTINCT unnest($ids::BIGINT[]) AS matter_id)
SELECT e.matter_id, m.created_at, e.seq, e.action, e.occurred_at, e.from_status, e.to_status,
       e.dept_id, e.minutes, e.value
FROM events e
JOIN wanted w ON w.matter_id = e.matter_id
JOIN matters m ON m.matter_id = e.matter_id
WHERE e.occurred_at <= $at
ORDER BY e.matter_id, e.seq;
