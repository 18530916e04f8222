-- Matters received per lead department (-1: not dispatched, no name), most first: how many,
-- how many of them are closed now, and how many of those were closed by their deadline.
-- The cohort: the macro analysis_cohort (migration 009), the filters' one definition.
-- returns: dept_id, code, name, name_en, received, closed, closed_on_time
-- params: scope, villages, cell_ids, sources, majors, category_ids, depts, week_hours
-- params: from_day, to_day
WITH cohort AS (
    SELECT coalesce(m.lead_dept_id, -1) AS dept_id, m.closed_at, m.due_at
    FROM analysis_cohort($scope, $villages, $cell_ids, $sources, $majors, $category_ids, $depts, $week_hours,
                             $from_day, $to_day) m
)
SELECT c.dept_id, d.code, d.name, d.name_en, count(*) AS received,
       count(c.closed_at) AS closed,
       count(*) FILTER (WHERE c.closed_at <= c.due_at) AS closed_on_time
FROM cohort c
LEFT JOIN departments d ON d.dept_id = c.dept_id
GROUP BY c.dept_id, d.code, d.name, d.name_en
ORDER BY received DESC, c.dept_id;
