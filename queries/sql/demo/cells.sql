-- Every grid cell with its village and grid worker, in id order (a top-up's reference).
-- returns: cell_id, village_id, code, name, worker_name
-- params: none
SELECT area_id AS cell_id, village_id, code, name, worker_name
FROM areas
WHERE level = 'cell'
ORDER BY area_id
