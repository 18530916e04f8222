-- Every area of one level in scope — level 'cell' (网格) or 'village' (村/社区) — with the six
-- counts of the counts report (macro report_counts, migrations 011 and 017) over the
-- half-open period [period_start, period_end), zero where nothing happened: what a map
-- export of the areas with their counts needs. In code order.
-- returns: area_id, code, name, village_id, received_count, closed_count, closed_with_due_count
-- returns: closed_on_time_count, open_at_end_count, overdue_at_end_count
-- params: scope, period_start, period_end, level
SELECT a.area_id, a.code, a.name, a.village_id,
       coalesce(r.received_count, 0) AS received_count, coalesce(r.closed_count, 0) AS closed_count,
       coalesce(r.closed_with_due_count, 0) AS closed_with_due_count,
       coalesce(r.closed_on_time_count, 0) AS closed_on_time_count,
       coalesce(r.open_at_end_count, 0) AS open_at_end_count,
       coalesce(r.overdue_at_end_count, 0) AS overdue_at_end_count
FROM areas a
LEFT JOIN report_counts($scope, $period_start, $period_end, $level) r ON r.group_key = a.code
WHERE a.level = $level AND list_contains($scope::INTEGER[], a.village_id)
ORDER BY a.code;
