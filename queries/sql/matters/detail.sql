-- One matter with its names, light and working time left; empty when outside the scope.
-- returns: id, status, light, remaining_min, source, external_ref, category, category_name
-- returns: category_name_en, major_code, major_name, limit_value, limit_unit, default_dept_id
-- returns: department_id, department, co_dept_ids, cell, cell_name, village_id, village, worker_name
-- returns: worker_phone, lon, lat, level, urgent, description, address, reporter, created_at
-- returns: dispatched_at, signed_at, sign_due_at, feedback_at, closed_at, followed_up_at
-- returns: due_at, limit_min, suspended_at, extension_count, supervision_count, rework_count
-- returns: return_count, satisfaction, updated_at
-- handled_by: a department user's department, whose matters alone (lead or co-handling) they
-- see; NULL for every other role.
-- params: scope, handled_by, matter_id, now, yellow_share
SELECT m.matter_id AS id, m.status, l.light, l.remaining_min, m.source, m.external_ref,
       k.code AS category, k.name AS category_name, k.name_en AS category_name_en, k.major_code,
       k.major_name, k.limit_value, k.limit_unit, k.default_dept_id,
       m.lead_dept_id AS department_id, d.name AS department, m.co_dept_ids,
       c.code AS cell, c.name AS cell_name, m.village_id, v.name AS village, c.worker_name,
       c.worker_phone, m.lon, m.lat, m.level, m.urgent, m.description, m.address, m.reporter,
       m.created_at, m.dispatched_at, m.signed_at, m.sign_due_at, m.feedback_at, m.closed_at,
       m.followed_up_at, m.due_at, m.limit_min, m.suspended_at, m.extension_count,
       m.supervision_count, m.rework_count, m.return_count, m.satisfaction, m.updated_at
FROM matters m
LEFT JOIN (SELECT matter_id, light, remaining_min FROM open_matter_lights($now, $yellow_share)
           WHERE matter_id = $matter_id) l USING (matter_id)
LEFT JOIN categories k ON k.category_id = m.category_id
LEFT JOIN departments d ON d.dept_id = m.lead_dept_id
LEFT JOIN areas c ON c.area_id = m.cell_id
LEFT JOIN areas v ON v.area_id = m.village_id
WHERE m.matter_id = $matter_id
  AND list_contains($scope::INTEGER[], coalesce(m.village_id, -1))
  AND ($handled_by::INTEGER IS NULL OR m.lead_dept_id = $handled_by::INTEGER
       OR list_contains(coalesce(m.co_dept_ids, []::INTEGER[]), $handled_by::INTEGER));
