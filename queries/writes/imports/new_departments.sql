-- Departments an import names that the store does not know (by code or by name) are
-- created, flagged imported; then every department name of the import gets its id,
-- a code match first.
-- params: none
INSERT INTO departments (dept_id, code, name, name_en, imported)
SELECT (SELECT coalesce(max(dept_id), 0) FROM departments) + row_number() OVER (ORDER BY department),
       department, department, department, true
FROM (SELECT DISTINCT department FROM import_checked WHERE reason IS NULL AND department IS NOT NULL) n
WHERE NOT EXISTS (SELECT 1 FROM departments d WHERE d.code = n.department OR d.name = n.department);
CREATE OR REPLACE TEMP TABLE import_dept_ids AS
SELECT n.department,
       coalesce(min(d.dept_id) FILTER (WHERE d.code = n.department),
                min(d.dept_id) FILTER (WHERE d.name = n.department)) AS dept_id
FROM (SELECT DISTINCT department FROM import_checked WHERE reason IS NULL AND department IS NOT NULL) n
JOIN departments d ON d.code = n.department OR d.name = n.department
GROUP BY n.department;
