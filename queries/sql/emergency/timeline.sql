-- Every event of an emergency in order (its timeline; payload: the action's fields, JSON).
-- returns: seq, action, actor, occurred_at, payload
-- params: emergency_id
SELECT seq, action, actor, occurred_at, payload
FROM emergency_events WHERE emergency_id = $emergency_id ORDER BY seq;
