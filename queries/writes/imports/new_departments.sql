-- Departments an import names that the store does not know (by code or by name: macro
-- reference_id, migration 011) are created, flagged imported; then every department name
-- of the import gets its id, a code match first.
-- params: none
INSERT INTO departments (dept_id, code, name, name_en, imported)
SELECT (SELECT coalesce(max(dept_id), 0) FROM departments) + row_number() OVER (ORDER BY department),
       department, department, department, true
FROM (SELECT DISTINCT department FROM import_checked WHERE reason IS NULL AND department IS NOT NULL) n
WHERE reference_id('department', n.department) IS NULL;
CREATE OR REPLACE TEMP TABLE import_dept_ids AS
SELECT n.department, reference_id('department', n.department) AS dept_id
FROM (SELECT DISTINCT department FROM import_checked WHERE reason IS NULL AND department IS NOT NULL) n;
