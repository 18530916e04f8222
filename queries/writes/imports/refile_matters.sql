-- Matters under the new grid: the cell and village found for their point (import_assign),
-- none for matters without coordinates (their old cell is gone).
-- params: none
UPDATE matters SET cell_id = a.cell_id, village_id = a.village_id
FROM import_assign a
WHERE matters.matter_id = a.id;
UPDATE matters SET cell_id = NULL, village_id = NULL
WHERE lon IS NULL OR lat IS NULL;
