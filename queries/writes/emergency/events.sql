-- The events of one emergency in order, for replaying its state inside a write.
-- params: emergency_id
SELECT action, actor, occurred_at, payload FROM emergency_events WHERE emergency_id = $emergency_id ORDER BY seq;
