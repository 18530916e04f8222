-- The categories' top level (大类) of the code table, for the filter bar, in code order.
-- returns: major_code, major_name, major_name_en
-- params: none
SELECT major_code, any_value(major_name ORDER BY code) AS major_name,
       any_value(major_name_en ORDER BY code) AS major_name_en
FROM categories
GROUP BY major_code
ORDER BY major_code;
