-- The names that appear in the audit log (the page's user filter).
-- returns: user_name
SELECT DISTINCT user_name FROM audit_log WHERE user_name IS NOT NULL ORDER BY user_name;
