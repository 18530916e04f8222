-- Open311 services: our 小类 categories, grouped by 大类.
-- returns: service_code, service_name, description, group_name, keywords
-- params: none
SELECT code AS service_code, name AS service_name,
       name || '（' || kind || '，时限 ' || limit_value || CASE limit_unit WHEN 'work_hours' THEN ' 工作时'
           ELSE ' 工作日' END || '）' AS description,
       major_name AS group_name, coalesce(name_en, '') AS keywords
FROM categories
ORDER BY code;
