-- A token revoked: requests carrying it are refused from now on. Returns how many were revoked.
-- params: token_hash, now
UPDATE api_tokens SET revoked_at = $now WHERE token_hash = $token_hash AND revoked_at IS NULL;
SELECT count(*) AS revoked FROM api_tokens WHERE token_hash = $token_hash AND revoked_at = $now;
