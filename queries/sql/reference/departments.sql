-- The departments matters are dispatched to, for the filter bar, in code-table order.
-- returns: dept_id, code, name, name_en
-- params: none
SELECT dept_id, code, name, name_en
FROM departments
ORDER BY dept_id;
