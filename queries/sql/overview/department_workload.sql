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
    FROM open_matter_lights($now, $yellow_share)
    WHERE list_contains($scope::INTEGER[], coalesce(village_id, -1))
      AND ($villages::INTEGER[] IS NULL OR list_contains($villages::INTEGER[], coalesce(village_id, -1)))
      AND ($sources::VARCHAR[] IS NULL OR list_contains($sources::VARCHAR[], source))
      AND ($majors::VARCHAR[] IS NULL OR list_contains($majors::VARCHAR[], coalesce(major_code, '')))
      AND ($depts::INTEGER[] IS NULL OR list_contains($depts::INTEGER[], coalesce(lead_dept_id, -1)))
    GROUP BY ALL
),
closed_recently AS (
    SELECT dept_id, sum(closed) AS closed_30d
    FROM daily_rollup
    WHERE day BETWEEN CAST($now AS DATE) - 29 AND CAST($now AS DATE)
      AND list_contains($scope::INTEGER[], village_id)
      AND ($villages::INTEGER[] IS NULL OR list_contains($villages::INTEGER[], village_id))
      AND ($sources::VARCHAR[] IS NULL OR list_contains($sources::VARCHAR[], source))
      AND ($majors::VARCHAR[] IS NULL OR list_contains($majors::VARCHAR[], major_code))
      AND ($depts::INTEGER[] IS NULL OR list_contains($depts::INTEGER[], dept_id))
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
