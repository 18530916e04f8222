-- How many audit records the prune would remove, read in its transaction.
-- params: before
SELECT count(*) AS n FROM audit_log WHERE occurred_at < $before;
