-- Open311 service requests: our matters, with open/closed status, the lead department as
-- agency_responsible and the due time as expected_datetime. NULL filters mean "any".
-- returns: service_request_id, status, status_detail, status_notes, service_code, service_name
-- returns: description, agency_responsible, requested_datetime, updated_datetime
-- returns: expected_datetime, address, lat, long
-- handled_by: a department user's department, whose matters alone (lead or co-handling) they
-- see; NULL for every other role.
-- params: scope, handled_by, ids, service_codes, start_date, end_date, status, limit
SELECT m.matter_id AS service_request_id,
       CASE WHEN m.status IN ('closed', 'voided') THEN 'closed' ELSE 'open' END AS status,
       m.status AS status_detail,
       (SELECT e.note FROM events e WHERE e.matter_id = m.matter_id AND e.note IS NOT NULL
        ORDER BY e.seq DESC LIMIT 1) AS status_notes,
       k.code AS service_code, k.name AS service_name, m.description,
       d.name AS agency_responsible, m.created_at AS requested_datetime,
       m.updated_at AS updated_datetime, m.due_at AS expected_datetime, m.address,
       m.lat, m.lon AS long
FROM matters m
LEFT JOIN categories k ON k.category_id = m.category_id
LEFT JOIN departments d ON d.dept_id = m.lead_dept_id
WHERE list_contains($scope::INTEGER[], coalesce(m.village_id, -1))
  AND ($handled_by::INTEGER IS NULL OR m.lead_dept_id = $handled_by::INTEGER
       OR list_contains(coalesce(m.co_dept_ids, []::INTEGER[]), $handled_by::INTEGER))
  AND ($ids::BIGINT[] IS NULL OR list_contains($ids::BIGINT[], m.matter_id))
  AND ($service_codes::VARCHAR[] IS NULL OR list_contains($service_codes::VARCHAR[], k.code))
  AND ($start_date::TIMESTAMP IS NULL OR m.created_at >= $start_date::TIMESTAMP)
  AND ($end_date::TIMESTAMP IS NULL OR m.created_at <= $end_date::TIMESTAMP)
  AND ($status::VARCHAR IS NULL
       OR ($status::VARCHAR = 'closed') = (m.status IN ('closed', 'voided')))
ORDER BY m.created_at DESC, m.matter_id DESC
LIMIT $limit;
