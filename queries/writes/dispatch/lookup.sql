-- A 小类 and a department by their codes (or a department by its id), inside the write
-- that changes the center's default: NULL where none has that code.
-- returns: category_id, category_name, code_table_dept_id, dept_id, department
-- params: category, department
SELECT (SELECT category_id FROM categories WHERE code = $category) AS category_id,
       (SELECT name FROM categories WHERE code = $category) AS category_name,
       (SELECT default_dept_id FROM categories WHERE code = $category) AS code_table_dept_id,
       (SELECT dept_id FROM departments WHERE code = $department
            OR CAST(dept_id AS VARCHAR) = $department LIMIT 1) AS dept_id,
       (SELECT name FROM departments WHERE code = $department
            OR CAST(dept_id AS VARCHAR) = $department LIMIT 1) AS department;
