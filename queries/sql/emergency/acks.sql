-- The acknowledged alarms of an emergency.
-- returns: emergency_id, alarm_key, acked_at, acked_by
-- params: emergency_id
SELECT emergency_id, alarm_key, acked_at, acked_by
FROM emergency_alarm_acks WHERE emergency_id = $emergency_id ORDER BY acked_at, alarm_key;
