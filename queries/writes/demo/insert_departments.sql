-- The departments of data/departments.csv, numbered, from the registered demo_departments.
-- params: none
INSERT INTO departments (dept_id, code, name, name_en, phone)
SELECT dept_id, code, name, name_en, phone
FROM demo_departments;
