-- A department's id by its code (a department user's own department: which desk buttons to offer).
-- params: code
-- returns: dept_id
SELECT dept_id FROM departments WHERE code = $code;
