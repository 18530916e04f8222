-- Categories (小类) an import names that the store does not know (by code or by name: macro
-- reference_id, migration 011) are created, flagged imported: kind 诉求, the limit from the
-- mapping's defaults, the 大类 from the mapped major column (its most frequent value) or
-- "IMP", and as default department the one most often handling it in the file. Then every
-- category of the import gets its id and 大类, a code match first.
-- params: limit_days
INSERT INTO categories (category_id, code, name, name_en, major_code, major_name, major_name_en, kind,
                        default_dept_id, limit_value, limit_unit, urgency, table_version, imported)
SELECT (SELECT coalesce(max(category_id), 0) FROM categories) + row_number() OVER (ORDER BY n.category),
       n.category, n.category, n.category,
       coalesce(n.major, 'IMP'), coalesce(n.major, '导入类别'), coalesce(n.major, 'Imported'), '诉求',
       n.dept_id, $limit_days, 'work_days', 'normal', 'import', true
FROM (SELECT c.category, mode(c.major) AS major, mode(d.dept_id) AS dept_id
      FROM import_checked c
      LEFT JOIN import_dept_ids d ON d.department = c.department
      WHERE c.reason IS NULL AND c.category IS NOT NULL
      GROUP BY c.category) n
WHERE reference_id('category', n.category) IS NULL;
CREATE OR REPLACE TEMP TABLE import_category_ids AS
SELECT n.category, reference_id('category', n.category) AS category_id
FROM (SELECT DISTINCT category FROM import_checked WHERE reason IS NULL AND category IS NOT NULL) n;
