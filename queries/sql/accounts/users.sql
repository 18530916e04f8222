-- Every account, without its password hash.
-- params: none
-- returns: name, role, scope_codes, dept_code, disabled, locked_until, created_at, tokens
SELECT u.name, u.role, u.scope_codes, u.dept_code, u.disabled, u.locked_until, u.created_at,
       (SELECT count(*) FROM api_tokens t WHERE t.user_id = u.user_id AND t.revoked_at IS NULL) AS tokens
FROM users u ORDER BY u.user_id;
