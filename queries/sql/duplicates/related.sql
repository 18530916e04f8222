-- Possible duplicates of a matter (重复件): other matters of the same 小类 created within
-- $days days of it, in the lon/lat box given (NULL: the same cell instead, for a matter
-- without coordinates), that the viewer may see; nearest in time first. The caller
-- measures the exact distance. Empty when the matter itself is outside the scope.
-- returns: id, status, category, category_name, created_at, description, address, lon, lat
-- returns: cell, village, lead_department, duplicate_of, hours_apart
-- handled_by: a department user's department: the matter and the others among its own
-- (lead or co-handling) only; NULL for every other role.
-- params: scope, handled_by, matter_id, days, min_lon, max_lon, min_lat, max_lat
WITH m AS (
    SELECT * FROM matters
    WHERE matter_id = $matter_id AND list_contains($scope::INTEGER[], coalesce(village_id, -1))
      AND ($handled_by::INTEGER IS NULL OR matters.lead_dept_id = $handled_by::INTEGER
           OR list_contains(coalesce(matters.co_dept_ids, []::INTEGER[]), $handled_by::INTEGER))
)
SELECT o.matter_id AS id, o.status, k.code AS category, k.name AS category_name, o.created_at,
       o.description, o.address, o.lon, o.lat, c.code AS cell, v.name AS village,
       d.name AS lead_department, o.duplicate_of,
       round(abs(epoch(o.created_at) - epoch(m.created_at)) / 3600.0, 1) AS hours_apart
FROM m
JOIN matters o ON o.category_id = m.category_id AND o.matter_id <> m.matter_id
LEFT JOIN categories k ON k.category_id = o.category_id
LEFT JOIN areas c ON c.area_id = o.cell_id
LEFT JOIN areas v ON v.area_id = o.village_id
LEFT JOIN departments d ON d.dept_id = o.lead_dept_id
WHERE list_contains($scope::INTEGER[], coalesce(o.village_id, -1))
  AND ($handled_by::INTEGER IS NULL OR o.lead_dept_id = $handled_by::INTEGER
       OR list_contains(coalesce(o.co_dept_ids, []::INTEGER[]), $handled_by::INTEGER))
  AND o.created_at BETWEEN m.created_at - to_days(CAST($days AS INTEGER))
                       AND m.created_at + to_days(CAST($days AS INTEGER))
  AND CASE WHEN $min_lon::DOUBLE IS NULL THEN o.cell_id = m.cell_id
           ELSE o.lon BETWEEN $min_lon::DOUBLE AND $max_lon::DOUBLE
                AND o.lat BETWEEN $min_lat::DOUBLE AND $max_lat::DOUBLE END
ORDER BY hours_apart, o.matter_id;
