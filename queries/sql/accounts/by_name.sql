-- One active account by name, as a request's user (no password hash).
-- params: user_name
-- returns: user_id, name, role, scope_codes, dept_code
SELECT user_id, name, role, scope_codes, dept_code FROM users WHERE name = $user_name AND NOT disabled;
