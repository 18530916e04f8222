-- The departments a dispatch of the matter could go to, with what the proposal weighs: the
-- 小类's default (the center's own in dispatch_defaults, else the code table's), and the
-- lead departments of past dispatches of this 小类 in this village since $since (other
-- matters), each with how often it returned (退回) such a dispatch. Empty when the matter
-- is outside the viewer's scope.
-- returns: dept_id, department, department_en, code, is_default, default_source
-- returns: past_dispatches, past_returns, village_dispatches
-- params: scope, matter_id, since
WITH m AS (
    SELECT matter_id, category_id, village_id
    FROM matters
    WHERE matter_id = $matter_id AND list_contains($scope::INTEGER[], coalesce(village_id, -1))
),
dflt AS (
    SELECT coalesce(o.dept_id, k.default_dept_id) AS dept_id,
           CASE WHEN o.dept_id IS NOT NULL THEN 'center' ELSE 'code_table' END AS default_source
    FROM m
    JOIN categories k ON k.category_id = m.category_id
    LEFT JOIN dispatch_defaults o ON o.category_id = m.category_id
    WHERE coalesce(o.dept_id, k.default_dept_id) IS NOT NULL
),
past AS (
    SELECT e.matter_id, e.action, e.dept_id
    FROM m
    JOIN matters p ON p.category_id = m.category_id AND p.village_id IS NOT DISTINCT FROM m.village_id
                  AND p.matter_id <> m.matter_id
    JOIN events e ON e.matter_id = p.matter_id
    WHERE e.action IN ('dispatch', 'return') AND e.dept_id IS NOT NULL AND e.occurred_at >= $since
),
per_dept AS (
    SELECT dept_id,
           count(*) FILTER (WHERE action = 'dispatch') AS past_dispatches,
           count(*) FILTER (WHERE action = 'return') AS past_returns
    FROM past GROUP BY dept_id
),
candidates AS (
    SELECT dept_id FROM dflt UNION SELECT dept_id FROM per_dept
)
SELECT c.dept_id, d.name AS department, d.name_en AS department_en, d.code,
       (c.dept_id IN (SELECT dept_id FROM dflt)) AS is_default,
       (SELECT default_source FROM dflt WHERE dflt.dept_id = c.dept_id) AS default_source,
       coalesce(p.past_dispatches, 0) AS past_dispatches, coalesce(p.past_returns, 0) AS past_returns,
       (SELECT count(*) FROM past WHERE action = 'dispatch') AS village_dispatches
FROM candidates c
JOIN departments d ON d.dept_id = c.dept_id
LEFT JOIN per_dept p ON p.dept_id = c.dept_id
ORDER BY c.dept_id;
