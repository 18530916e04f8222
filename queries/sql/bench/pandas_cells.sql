-- The cells and their villages, for the pandas baseline.
-- params: none
-- returns: cell_id, village_id
SELECT area_id AS cell_id, village_id FROM areas WHERE level = 'cell' ORDER BY area_id;
