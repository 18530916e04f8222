-- A department's id by its code (a department user's own department, for the permission check).
-- params: code
SELECT dept_id FROM departments WHERE code = $code;
