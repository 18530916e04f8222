-- One event of a matter's log (append-only).
-- params: matter_id, seq, action, actor, occurred_at, from_status, to_status, dept_id, minutes, value, note
INSERT INTO events (matter_id, seq, action, actor, occurred_at, from_status, to_status, dept_id,
                    minutes, value, note)
VALUES ($matter_id, $seq, $action, $actor, $occurred_at, $from_status, $to_status, $dept_id,
        $minutes, $value, $note);
