-- Append one event to an emergency's log; payload: the action's fields as JSON.
-- params: emergency_id, seq, action, actor, occurred_at, payload
INSERT INTO emergency_events (emergency_id, seq, action, actor, occurred_at, payload)
VALUES ($emergency_id, $seq, $action, $actor, $occurred_at, $payload);
