-- One account by name as a login checks it: its hash, state and failure counters.
-- params: user_name
-- returns: user_id, name, role, scope_codes, dept_code, password_hash, disabled, failed_logins, locked_until
SELECT user_id, name, role, scope_codes, dept_code, password_hash, disabled, failed_logins, locked_until
FROM users WHERE name = $user_name;
