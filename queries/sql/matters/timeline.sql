-- A matter's events in order, with department names; empty when outside the scope.
-- returns: seq, action, actor, occurred_at, from_status, to_status, dept_id, department
-- returns: minutes, value, note
-- params: scope, matter_id
SELECT e.seq, e.action, e.actor, e.occurred_at, e.from_status, e.to_status, e.dept_id,
       d.name AS department, e.minutes, e.value, e.note
FROM events e
JOIN matters m ON m.matter_id = e.matter_id
LEFT JOIN departments d ON d.dept_id = e.dept_id
WHERE e.matter_id = $matter_id
  AND list_contains($scope::INTEGER[], coalesce(m.village_id, -1))
ORDER BY e.seq;
