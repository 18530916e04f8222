-- Resources under the new grid: the cell and village found for their point.
-- params: none
UPDATE resources SET cell_id = a.cell_id, village_id = a.village_id
FROM import_assign a
WHERE resources.resource_id = a.id;
