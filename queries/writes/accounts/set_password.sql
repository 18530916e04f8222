-- A new password (reset by an admin): the lockout and the failure count start afresh.
-- params: user_id, password_hash
UPDATE users SET password_hash = $password_hash, failed_logins = 0, locked_until = NULL
WHERE user_id = $user_id;
