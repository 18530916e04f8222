-- The live load of departments (their open matters as lead, and those overdue at $now,
-- the clock not stopped) and their on-time closures over [$since, $now): closed with a
-- due time, and closed by it. Within the viewer's scope; one row per department asked
-- (none for a viewer who may see no village).
-- returns: dept_id, open, overdue, closed_with_due, closed_on_time
-- params: scope, depts, now, since
WITH asked AS (SELECT unnest($depts::INTEGER[]) AS dept_id),
live AS (
    SELECT lead_dept_id AS dept_id, count(*) AS open,
           count(*) FILTER (WHERE due_at < $now AND suspended_at IS NULL) AS overdue
    FROM open_matters
    WHERE list_contains($scope::INTEGER[], coalesce(village_id, -1))
      AND list_contains($depts::INTEGER[], lead_dept_id)
    GROUP BY lead_dept_id
),
closed AS (
    SELECT lead_dept_id AS dept_id, count(*) FILTER (WHERE due_at IS NOT NULL) AS closed_with_due,
           count(*) FILTER (WHERE closed_at <= due_at) AS closed_on_time
    FROM matters
    WHERE closed_at >= $since AND closed_at < $now
      AND list_contains($scope::INTEGER[], coalesce(village_id, -1))
      AND list_contains($depts::INTEGER[], lead_dept_id)
    GROUP BY lead_dept_id
)
SELECT a.dept_id, coalesce(l.open, 0) AS open, coalesce(l.overdue, 0) AS overdue,
       coalesce(c.closed_with_due, 0) AS closed_with_due, coalesce(c.closed_on_time, 0) AS closed_on_time
FROM asked a
LEFT JOIN live l USING (dept_id)
LEFT JOIN closed c USING (dept_id)
WHERE len($scope::INTEGER[]) > 0
ORDER BY a.dept_id;
