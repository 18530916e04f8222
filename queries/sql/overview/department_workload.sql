-- Departmental workload: per lead department, the open matters now, how many of them are
-- overdue (red) or due soon (yellow), and the matters it closed in the last 30 days;
-- most overdue first. Open matters not dispatched yet form one row with dept_id -1 and
-- no name. Departments with nothing open and nothing closed are left out.
-- returns: dept_id, code, name, name_en, open_count, overdue_count, due_soon_count, closed_30d
-- params: scope, villages, sources, majors, depts, now, yellow_share
WITH open_now AS (
    SELECT coalesce(lead_dept_id, -1) AS dept_id,
           count(*) AS open_count,
           count(*) FILTER (WHERE light = 'red') AS overdue_count,
           count(*) FILTER (WHERE light = 'yellow') AS due_soon_count
    FROM overview_open_matters($scope, $villages, $sources, $majors, $depts, $now, $yellow_share)
    GROUP BY ALL
),
closed_recently AS (
    SELECT dept_id, sum(closed) AS closed_30d
    FROM overview_rollup_30d($scope, $villages, $sources, $majors, $depts, $now)
    GROUP BY ALL
)
SELECT k.dept_id, d.code, d.name, d.name_en,
       coalesce(o.open_count, 0) AS open_count,
       coalesce(o.overdue_count, 0) AS overdue_count,
       coalesce(o.due_soon_count, 0) AS due_soon_count,
       CAST(coalesce(c.closed_30d, 0) AS BIGINT) AS closed_30d
FROM (SELECT dept_id FROM open_now UNION SELECT dept_id FROM closed_recently) k
LEFT JOIN open_now o ON o.dept_id = k.dept_id
LEFT JOIN closed_recently c ON c.dept_id = k.dept_id
LEFT JOIN departments d ON d.dept_id = k.dept_id
WHERE coalesce(o.open_count, 0) + coalesce(c.closed_30d, 0) > 0
ORDER BY overdue_count DESC, open_count DESC, closed_30d DESC, k.dept_id;
