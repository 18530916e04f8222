-- The township row of the grid in the store, if any.
-- returns: code, name, origin
-- params: none
SELECT code, name, origin
FROM areas
WHERE level = 'township'
ORDER BY area_id
LIMIT 1;
