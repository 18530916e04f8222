-- Deadlines recomputed after a calendar change (registered by the caller as
-- calendar_moves: matter_id, new_due, new_sign_due, note): one 'redue' event each, with
-- the new deadline as its value, and the matter's state updated to match its replay.
-- params: actor, now
INSERT INTO events (matter_id, seq, action, actor, occurred_at, from_status, to_status,
                    dept_id, minutes, value, note)
SELECT m.matter_id, m.event_count + 1, 'redue', $actor, greatest(m.updated_at, $now),
       m.status, m.status, NULL, NULL, strftime(c.new_due, '%Y-%m-%dT%H:%M:%S'), c.note
FROM matters m JOIN calendar_moves c ON c.matter_id = m.matter_id;
UPDATE matters
SET due_at = c.new_due,
    sign_due_at = coalesce(c.new_sign_due, matters.sign_due_at),
    updated_at = greatest(matters.updated_at, $now),
    event_count = matters.event_count + 1
FROM calendar_moves c
WHERE matters.matter_id = c.matter_id;
