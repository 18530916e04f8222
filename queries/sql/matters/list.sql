-- Matters for the API list, newest first, with the light of the open ones (NULL when
-- closed or voided) and the total that match. NULL filters mean "any".
-- returns: id, status, light, remaining_min, source, category, category_name, department_id, department
-- returns: cell, village_id, village, lon, lat, level, created_at, due_at, closed_at, external_ref
-- returns: description, address, total
-- handled_by: a department user's department, whose matters alone (lead or co-handling) they
-- see; NULL for every other role.
-- params: scope, handled_by, statuses, lights, cells, villages, depts, sources, categories, created_from, created_to
-- params: now, yellow_share, limit, offset
WITH lights AS (
    SELECT matter_id, light, remaining_min FROM open_matter_lights($now, $yellow_share)
),
hits AS (
    SELECT m.*, l.light, l.remaining_min, c.code AS cell_code, k.code AS category_code
    FROM matters m
    LEFT JOIN lights l USING (matter_id)
    LEFT JOIN areas c ON c.area_id = m.cell_id
    LEFT JOIN categories k ON k.category_id = m.category_id
    WHERE list_contains($scope::INTEGER[], coalesce(m.village_id, -1))
      AND ($handled_by::INTEGER IS NULL OR m.lead_dept_id = $handled_by::INTEGER
       OR list_contains(coalesce(m.co_dept_ids, []::INTEGER[]), $handled_by::INTEGER))
      AND ($statuses::VARCHAR[] IS NULL OR list_contains($statuses::VARCHAR[], m.status))
      AND ($lights::VARCHAR[] IS NULL OR list_contains($lights::VARCHAR[], l.light))
      AND ($cells::VARCHAR[] IS NULL OR list_contains($cells::VARCHAR[], c.code))
      AND ($villages::INTEGER[] IS NULL OR list_contains($villages::INTEGER[], coalesce(m.village_id, -1)))
      AND ($depts::INTEGER[] IS NULL OR list_contains($depts::INTEGER[], coalesce(m.lead_dept_id, -1)))
      AND ($sources::VARCHAR[] IS NULL OR list_contains($sources::VARCHAR[], m.source))
      AND ($categories::VARCHAR[] IS NULL OR list_contains($categories::VARCHAR[], k.code))
      AND ($created_from::TIMESTAMP IS NULL OR m.created_at >= $created_from::TIMESTAMP)
      AND ($created_to::TIMESTAMP IS NULL OR m.created_at < $created_to::TIMESTAMP)
),
page AS (
    SELECT *, count(*) OVER () AS total FROM hits
    ORDER BY created_at DESC, matter_id DESC
    LIMIT $limit OFFSET $offset
)
SELECT p.matter_id AS id, p.status, p.light, p.remaining_min, p.source, p.category_code AS category,
       k.name AS category_name, p.lead_dept_id AS department_id, d.name AS department,
       p.cell_code AS cell, p.village_id, v.name AS village, p.lon, p.lat, p.level, p.created_at,
       p.due_at, p.closed_at, p.external_ref, p.description, p.address, p.total
FROM page p
LEFT JOIN categories k ON k.category_id = p.category_id
LEFT JOIN departments d ON d.dept_id = p.lead_dept_id
LEFT JOIN areas v ON v.area_id = p.village_id
ORDER BY p.created_at DESC, p.matter_id DESC;
