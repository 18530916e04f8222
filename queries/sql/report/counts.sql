-- The counts report's totals over the half-open period [period_start, period_end), for the
-- matters in scope (a matter without a village counts as village -1): one row, the six
-- counts as macro report_counts (migration 011) defines them: received, closed,
-- closed_with_due, closed_on_time, open_at_end and overdue_at_end.
-- returns: received_count, closed_count, closed_with_due_count
-- returns: closed_on_time_count, open_at_end_count, overdue_at_end_count
-- params: scope, period_start, period_end
SELECT CAST(coalesce(sum(COLUMNS(* EXCLUDE (group_key))), 0) AS BIGINT)
FROM report_counts($scope, $period_start, $period_end, 'township');
