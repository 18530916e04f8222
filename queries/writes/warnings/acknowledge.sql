-- An operator acknowledges an active warning: who and when on the warning, and an event.
-- params: warning_key, actor, note, now
UPDATE warnings SET acknowledged_by = $actor, acknowledged_at = $now
WHERE warning_key = $warning_key AND resolved_at IS NULL;
INSERT INTO warning_events VALUES ($warning_key, 'acknowledged', $actor, $now, $note);
