-- A new API token of a user: only its hash is kept.
-- params: token_hash, user_id, now
INSERT INTO api_tokens
SELECT coalesce(max(token_id), 0) + 1, $token_hash, $user_id, $now, NULL FROM api_tokens;
