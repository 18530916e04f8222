-- The department a task is given to, by id or code.
-- returns: dept_id, code, name, name_en
-- params: key
SELECT dept_id, code, name, name_en FROM departments
WHERE dept_id = TRY_CAST($key AS INTEGER) OR code = $key
ORDER BY dept_id LIMIT 1;
