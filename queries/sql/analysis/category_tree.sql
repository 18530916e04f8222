-- The category tree (DOMAIN.md §6) for the analysis page's filters: every 小类 with its 大类,
-- in code order.
-- returns: category_id, code, name, name_en, major_code, major_name, major_name_en
-- params: none
SELECT category_id, code, name, name_en, major_code, major_name, major_name_en
FROM categories
ORDER BY code;
