-- Every department as the demo build wrote it, in id order (a top-up's reference).
-- returns: dept_id, code, name, name_en, phone
-- params: none
SELECT dept_id, code, name, name_en, phone
FROM departments
ORDER BY dept_id
