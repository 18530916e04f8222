-- One audit record (append-only: the application never updates or deletes one, DOMAIN.md §1).
-- params: occurred_at, user_name, role, source_ip, what, target, outcome, detail
INSERT INTO audit_log (occurred_at, user_name, role, source_ip, what, target, outcome, detail)
VALUES ($occurred_at, $user_name, $role, $source_ip, $what, $target, $outcome, $detail);
