-- The active account a live (unrevoked) token belongs to.
-- params: token_hash
-- returns: user_id, name, role, scope_codes, dept_code
SELECT u.user_id, u.name, u.role, u.scope_codes, u.dept_code
FROM api_tokens t JOIN users u ON u.user_id = t.user_id
WHERE t.token_hash = $token_hash AND t.revoked_at IS NULL AND NOT u.disabled;
