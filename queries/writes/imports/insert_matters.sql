-- The accepted rows become matters (origin 'import'): their own id kept as external_ref,
-- coordinates in WGS-84 with the cell found for them, the state the event chain implies.
-- limit_min stays NULL (the file gives a due time, not a working-time limit).
-- params: none
INSERT INTO matters (matter_id, source, external_ref, category_id, major_code, description, address,
    reporter, lon, lat, cell_id, village_id, level, urgent, status, lead_dept_id, co_dept_ids,
    created_at, dispatched_at, signed_at, feedback_at, closed_at, followed_up_at, voided_at,
    escalated_at, limit_min, due_at, sign_due_at, suspended_at, remaining_min_at_suspend,
    extension_count, supervision_count, rework_count, return_count, satisfaction, updated_at,
    event_count, origin)
SELECT c.matter_id, c.source, c.ext_id, k.category_id, cat.major_code, c.description, c.address,
       NULL, p.lon, p.lat, p.cell_id, p.village_id, 'general', false, c.final_status,
       CASE WHEN s.dispatched AND NOT s.returned THEN d.dept_id END, NULL,
       c.created_ts,
       CASE WHEN s.dispatched THEN c.created_ts END,
       CASE WHEN s.signed THEN c.created_ts END,
       CASE WHEN s.feedback_at_close THEN c.closed_ts WHEN s.fed_back THEN c.created_ts END,
       c.closed_ts, NULL,
       CASE WHEN s.voided THEN c.created_ts END,
       CASE WHEN s.escalated THEN c.created_ts END,
       NULL, c.due_ts, NULL,
       CASE WHEN s.suspended THEN c.created_ts END, NULL,
       0, 0, 0, CASE WHEN s.returned THEN 1 ELSE 0 END, NULL,
       CASE WHEN s.ends_at_close THEN c.closed_ts ELSE c.created_ts END,
       s.steps, 'import'
FROM import_accepted c
JOIN import_chain_shape s ON s.status = c.final_status
LEFT JOIN import_points p ON p.__row = c.__row
LEFT JOIN import_dept_ids d ON d.department = c.department
LEFT JOIN import_category_ids k ON k.category = c.category
LEFT JOIN categories cat ON cat.category_id = k.category_id;
