-- The counts report by lead department (its name; '' for matters not dispatched), over the
-- half-open period [period_start, period_end), for the matters in scope: the six counts of
-- report/counts (macro report_counts, migration 011). Departments with every count zero
-- are left out.
-- returns: department, received_count, closed_count, closed_with_due_count
-- returns: closed_on_time_count, open_at_end_count, overdue_at_end_count
-- params: scope, period_start, period_end
SELECT group_key AS department, * EXCLUDE (group_key)
FROM report_counts($scope, $period_start, $period_end, 'department')
ORDER BY department;
