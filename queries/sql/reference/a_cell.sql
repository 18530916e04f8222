-- One cell of the grid with its point inside (where a benchmark places its matters).
-- params: none
-- returns: area_id, village_id, lon, lat
SELECT area_id, village_id, lon, lat FROM areas WHERE level = 'cell' ORDER BY area_id LIMIT 1;
