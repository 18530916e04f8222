-- The load of each department that leads open matters now, for the dispatch picker: its
-- open matters in scope and how many of them are overdue (red) or due soon (yellow).
-- Departments with nothing open are left out (the picker lists them from the reference).
-- returns: dept_id, open_count, overdue_count, due_soon_count
-- params: scope, now, yellow_share
SELECT lead_dept_id AS dept_id,
       count(*) AS open_count,
       count(*) FILTER (WHERE light = 'red') AS overdue_count,
       count(*) FILTER (WHERE light = 'yellow') AS due_soon_count
FROM open_matter_lights($now, $yellow_share)
WHERE lead_dept_id IS NOT NULL
  AND list_contains($scope::INTEGER[], coalesce(village_id, -1))
GROUP BY lead_dept_id
ORDER BY lead_dept_id;
