-- A user by name (for a write: its id, state and counters), and the id the next new user gets.
-- params: name
-- returns: user_id, role, scope_codes, dept_code, password_hash, disabled, failed_logins, locked_until, next_id
SELECT u.user_id, u.role, u.scope_codes, u.dept_code, u.password_hash, u.disabled, u.failed_logins,
       u.locked_until, n.next_id
FROM (SELECT coalesce(max(user_id), 0) + 1 AS next_id FROM users) n
LEFT JOIN users u ON u.name = $name;
