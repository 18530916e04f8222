-- The outcome of a login attempt: the failures counted so far and the lock, if any.
-- params: user_id, failed_logins, locked_until
UPDATE users SET failed_logins = $failed_logins, locked_until = $locked_until WHERE user_id = $user_id;
