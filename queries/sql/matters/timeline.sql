-- A matter's events in order, with department names; empty when outside the scope.
-- returns: seq, action, actor, occurred_at, from_status, to_status, dept_id, department
-- returns: minutes, value, note
-- handled_by: a department user's department, whose matters alone (lead or co-handling) they
-- see; NULL for every other role.
-- params: scope, handled_by, matter_id
SELECT e.seq, e.action, e.actor, e.occurred_at, e.from_status, e.to_status, e.dept_id,
       d.name AS department, e.minutes, e.value, e.note
FROM events e
JOIN matters m ON m.matter_id = e.matter_id
LEFT JOIN departments d ON d.dept_id = e.dept_id
WHERE e.matter_id = $matter_id
  AND list_contains($scope::INTEGER[], coalesce(m.village_id, -1))
  AND ($handled_by::INTEGER IS NULL OR m.lead_dept_id = $handled_by::INTEGER
       OR list_contains(coalesce(m.co_dept_ids, []::INTEGER[]), $handled_by::INTEGER))
ORDER BY e.seq;
