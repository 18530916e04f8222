-- Every live token of a user revoked (a lost or leaked token). Returns how many were revoked.
-- params: user_id, now
UPDATE api_tokens SET revoked_at = $now WHERE user_id = $user_id AND revoked_at IS NULL;
SELECT count(*) AS revoked FROM api_tokens WHERE user_id = $user_id AND revoked_at = $now;
