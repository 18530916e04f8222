-- The admin prune: removes the records older than $before (the caller has checked that
-- $before is at least 183 days ago). The only statement that removes audit records; none
-- updates one.
-- params: before
DELETE FROM audit_log WHERE occurred_at < $before;
