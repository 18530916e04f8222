-- The counts report by grid cell (its code, the grid's id-field value; '' for matters
-- without a cell), over the half-open period [period_start, period_end), for the matters
-- in scope: the six counts of report/counts (macro report_counts, migration 011). Cells
-- with every count zero are left out.
-- returns: cell, received_count, closed_count, closed_with_due_count
-- returns: closed_on_time_count, open_at_end_count, overdue_at_end_count
-- params: scope, period_start, period_end
SELECT group_key AS cell, * EXCLUDE (group_key)
FROM report_counts($scope, $period_start, $period_end, 'cell')
ORDER BY cell;
