-- One village or community (村/社区) in scope by its 12-digit code, with its number of grid
-- cells; empty when the code is unknown or outside the scope (the same answer for both).
-- returns: village_id, code, name, cell_count
-- params: scope, code
SELECT v.area_id AS village_id, v.code, v.name,
       (SELECT count(*) FROM areas c WHERE c.level = 'cell' AND c.village_id = v.area_id) AS cell_count
FROM areas v
WHERE v.level = 'village' AND v.code = $code
  AND list_contains($scope::INTEGER[], v.area_id);
