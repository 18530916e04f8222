-- The department ids, for the pandas baseline.
-- params: none
-- returns: dept_id
SELECT dept_id FROM departments;
