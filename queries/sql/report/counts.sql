-- The counts report's totals over the half-open period [period_start, period_end), for the
-- matters in scope (a matter without a village counts as village -1):
-- received = created in the period; closed = closed in the period; closed_with_due = those
-- of them with a due time; closed_on_time = those closed at or before it; open_at_end =
-- created before the end and not closed (nor voided) before it; overdue_at_end = those of
-- them with a due time before the end.
-- returns: received_count, closed_count, closed_with_due_count
-- returns: closed_on_time_count, open_at_end_count, overdue_at_end_count
-- params: scope, period_start, period_end
WITH flags AS (
    SELECT created_at >= $period_start AND created_at < $period_end AS received,
           coalesce(closed_at >= $period_start AND closed_at < $period_end, false) AS closed,
           due_at,
           closed_at,
           created_at < $period_end
               AND (closed_at IS NULL OR closed_at >= $period_end)
               AND (voided_at IS NULL OR voided_at >= $period_end) AS open_at_end
    FROM matters
    WHERE list_contains($scope::INTEGER[], coalesce(village_id, -1))
)
SELECT count(*) FILTER (WHERE received) AS received_count,
       count(*) FILTER (WHERE closed) AS closed_count,
       count(*) FILTER (WHERE closed AND due_at IS NOT NULL) AS closed_with_due_count,
       count(*) FILTER (WHERE closed AND closed_at <= due_at) AS closed_on_time_count,
       count(*) FILTER (WHERE open_at_end) AS open_at_end_count,
       count(*) FILTER (WHERE open_at_end AND due_at < $period_end) AS overdue_at_end_count
FROM flags;
