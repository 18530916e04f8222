-- The counts report by grid cell (its code, the grid's id-field value; '' for matters
-- without a cell), over the half-open period [period_start, period_end), for the matters
-- in scope: the six counts of report/counts. Cells with every count zero are left out.
-- returns: cell, received_count, closed_count, closed_with_due_count
-- returns: closed_on_time_count, open_at_end_count, overdue_at_end_count
-- params: scope, period_start, period_end
WITH flags AS (
    SELECT coalesce(c.code, '') AS cell,
           m.created_at >= $period_start AND m.created_at < $period_end AS received,
           coalesce(m.closed_at >= $period_start AND m.closed_at < $period_end, false) AS closed,
           m.due_at,
           m.closed_at,
           m.created_at < $period_end
               AND (m.closed_at IS NULL OR m.closed_at >= $period_end)
               AND (m.voided_at IS NULL OR m.voided_at >= $period_end) AS open_at_end
    FROM matters m
    LEFT JOIN areas c ON c.area_id = m.cell_id AND c.level = 'cell'
    WHERE list_contains($scope::INTEGER[], coalesce(m.village_id, -1))
)
SELECT cell,
       count(*) FILTER (WHERE received) AS received_count,
       count(*) FILTER (WHERE closed) AS closed_count,
       count(*) FILTER (WHERE closed AND due_at IS NOT NULL) AS closed_with_due_count,
       count(*) FILTER (WHERE closed AND closed_at <= due_at) AS closed_on_time_count,
       count(*) FILTER (WHERE open_at_end) AS open_at_end_count,
       count(*) FILTER (WHERE open_at_end AND due_at < $period_end) AS overdue_at_end_count
FROM flags
WHERE received OR closed OR open_at_end
GROUP BY cell
ORDER BY cell;
