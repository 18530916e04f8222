-- One entry of the commander's log or the 上报 record (a report upward, a reply).
-- params: emergency_id, entry_no, kind, logged_at, actor, text, counterpart, reply_to
INSERT INTO emergency_log (emergency_id, entry_no, kind, logged_at, actor, text, counterpart, reply_to)
VALUES ($emergency_id, $entry_no, $kind, $logged_at, $actor, $text, $counterpart, $reply_to);
