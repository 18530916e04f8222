-- An emergency's commander's log and 上报 record, one row an entry, in order.
-- returns: emergency_id, entry_no, kind, logged_at, actor, text, counterpart, reply_to
-- params: emergency_id
SELECT emergency_id, entry_no, kind, logged_at, actor, text, counterpart, reply_to
FROM emergency_log WHERE emergency_id = $emergency_id ORDER BY entry_no;
