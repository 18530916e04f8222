-- What the API shows of a matter beside its ids: category code, cell code, village name.
-- params: category_id, cell_id, village_id
-- returns: category, cell, village
SELECT (SELECT code FROM categories WHERE category_id = $category_id) AS category,
       (SELECT code FROM areas WHERE area_id = $cell_id) AS cell,
       (SELECT name FROM areas WHERE area_id = $village_id) AS village;
