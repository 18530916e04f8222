-- Every 小类's default lead department: the code table's, the center's own (NULL: none)
-- and the one that applies, with when and by whom the center's was set.
-- returns: category, category_name, code_table_department, center_department, department
-- returns: updated_at, updated_by
-- params: none
SELECT k.code AS category, k.name AS category_name, dk.code AS code_table_department,
       dc.code AS center_department, coalesce(dc.code, dk.code) AS department, o.updated_at, o.updated_by
FROM categories k
LEFT JOIN departments dk ON dk.dept_id = k.default_dept_id
LEFT JOIN dispatch_defaults o ON o.category_id = k.category_id
LEFT JOIN departments dc ON dc.dept_id = o.dept_id
ORDER BY k.code;
