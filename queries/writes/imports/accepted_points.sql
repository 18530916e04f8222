-- The accepted rows that carry coordinates, for point → cell assignment.
-- returns: __row, lon, lat
-- params: none
SELECT __row, lon, lat
FROM import_checked
WHERE reason IS NULL AND lon IS NOT NULL AND lat IS NOT NULL
ORDER BY __row;
