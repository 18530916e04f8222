-- An emergency's linkage tasks in order, with the department's names.
-- returns: emergency_id, task_no, dept_id, what, clock, limit_min, posted_at, posted_by, due_at, status
-- returns: signed_at, signed_by, reported_at, report, closed_at, dept_code, dept_name, dept_name_en
-- params: emergency_id
SELECT t.emergency_id, t.task_no, t.dept_id, t.what, t.clock, t.limit_min, t.posted_at, t.posted_by, t.due_at,
       t.status, t.signed_at, t.signed_by, t.reported_at, t.report, t.closed_at,
       d.code AS dept_code, d.name AS dept_name, d.name_en AS dept_name_en
FROM emergency_tasks t
LEFT JOIN departments d ON d.dept_id = t.dept_id
WHERE t.emergency_id = $emergency_id
ORDER BY t.task_no;
