-- When the emergency's latest event happened (its log never runs backwards).
-- params: emergency_id
SELECT max(occurred_at) AS last_at FROM emergency_events WHERE emergency_id = $emergency_id;
