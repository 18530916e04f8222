-- Open matters per grid cell (网格) now, for the map: every cell in scope, with its open
-- count, overdue (red) and due-soon (yellow) counts and the worst light among its open
-- matters (red > yellow > green > paused > none; NULL when the cell has none open).
-- Cells outside the village filter stay in the list with zero counts, so the map keeps
-- its shape while the filters narrow what is counted.
-- returns: cell_id, code, name, village_id, village_name, open_count, overdue_count, due_soon_count, worst_light
-- params: scope, villages, sources, majors, depts, now, yellow_share
WITH lit AS (
    SELECT cell_id, light
    FROM overview_open_matters($scope, $villages, $sources, $majors, $depts, $now, $yellow_share)
    WHERE cell_id IS NOT NULL
),
per_cell AS (
    SELECT cell_id,
           count(*) AS open_count,
           count(*) FILTER (WHERE light = 'red') AS overdue_count,
           count(*) FILTER (WHERE light = 'yellow') AS due_soon_count,
           max(CASE light WHEN 'red' THEN 4 WHEN 'yellow' THEN 3 WHEN 'green' THEN 2
                          WHEN 'paused' THEN 1 ELSE 0 END) AS worst_rank
    FROM lit
    GROUP BY cell_id
)
SELECT c.area_id AS cell_id, c.code, c.name, c.village_id, v.name AS village_name,
       coalesce(p.open_count, 0) AS open_count,
       coalesce(p.overdue_count, 0) AS overdue_count,
       coalesce(p.due_soon_count, 0) AS due_soon_count,
       CASE p.worst_rank WHEN 4 THEN 'red' WHEN 3 THEN 'yellow' WHEN 2 THEN 'green'
                         WHEN 1 THEN 'paused' WHEN 0 THEN 'none' END AS worst_light
FROM areas c
LEFT JOIN areas v ON v.area_id = c.village_id
LEFT JOIN per_cell p ON p.cell_id = c.area_id
WHERE c.level = 'cell'
  AND list_contains($scope::INTEGER[], c.village_id)
ORDER BY c.area_id;
