-- An account disabled: it cannot sign in, and its tokens are revoked with it.
-- params: user_id, now
UPDATE users SET disabled = true WHERE user_id = $user_id;
UPDATE api_tokens SET revoked_at = $now WHERE user_id = $user_id AND revoked_at IS NULL;
