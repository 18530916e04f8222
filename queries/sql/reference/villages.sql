-- The villages and communities (村/社区) in scope, for the filter bar, in code order.
-- returns: village_id, code, name
-- params: scope
SELECT area_id AS village_id, code, name
FROM areas
WHERE level = 'village' AND list_contains($scope::INTEGER[], area_id)
ORDER BY code;
