-- A new account.
-- params: user_id, name, role, scope_codes, dept_code, password_hash, now
INSERT INTO users (user_id, name, role, scope_codes, dept_code, password_hash, disabled, failed_logins,
                   locked_until, created_at)
VALUES ($user_id, $name, $role, $scope_codes, $dept_code, $password_hash, false, 0, NULL, $now);
