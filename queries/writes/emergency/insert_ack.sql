-- An alarm of an emergency acknowledged: who and when.
-- params: emergency_id, alarm_key, acked_at, acked_by
INSERT INTO emergency_alarm_acks (emergency_id, alarm_key, acked_at, acked_by)
VALUES ($emergency_id, $alarm_key, $acked_at, $acked_by);
