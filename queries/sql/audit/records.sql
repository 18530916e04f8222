-- The audit records an admin looks at (the /audit page and its CSV), newest first.
-- params: user_name, what, outcome, start, end, limit
-- returns: audit_id, occurred_at, user_name, role, source_ip, what, target, outcome, detail
SELECT audit_id, occurred_at, user_name, role, source_ip, what, target, outcome, detail
FROM audit_log
WHERE ($user_name IS NULL OR user_name = $user_name)
  AND ($what IS NULL OR what = $what)
  AND ($outcome IS NULL OR outcome = $outcome)
  AND ($start IS NULL OR occurred_at >= $start)
  AND ($end IS NULL OR occurred_at < $end)
ORDER BY occurred_at DESC, audit_id DESC
LIMIT $limit;
