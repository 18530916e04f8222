-- The open matters with a point, filtered as the overview is, for the map's point and heat
-- layers: id, light, where, what; the most urgent first, at most $limit rows.
-- returns: matter_id, light, lon, lat, category_name, category_name_en
-- params: scope, villages, sources, majors, depts, now, yellow_share, limit
WITH lit AS (
    SELECT matter_id, light, remaining_min, category_id, created_at
    FROM overview_open_matters($scope, $villages, $sources, $majors, $depts, $now, $yellow_share)
)
SELECT l.matter_id, l.light, m.lon, m.lat, k.name AS category_name, k.name_en AS category_name_en
FROM lit l
JOIN matters m ON m.matter_id = l.matter_id
LEFT JOIN categories k ON k.category_id = l.category_id
WHERE m.lon IS NOT NULL AND m.lat IS NOT NULL
ORDER BY CASE l.light WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 WHEN 'green' THEN 2
                      WHEN 'paused' THEN 3 ELSE 4 END,
         l.remaining_min NULLS LAST, l.created_at, l.matter_id
LIMIT $limit;
