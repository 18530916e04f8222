-- The code table of data/categories.csv (大类 → 小类 with default department, limit and
-- urgency), from the registered demo_categories.
-- params: none
INSERT INTO categories (category_id, code, name, name_en, major_code, major_name, major_name_en, kind,
                        default_dept_id, limit_value, limit_unit, urgency, table_version)
SELECT category_id, code, name, name_en, major_code, major_name, major_name_en, kind,
       default_dept_id, limit_value, limit_unit, urgency, table_version
FROM demo_categories;
