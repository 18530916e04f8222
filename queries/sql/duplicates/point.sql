-- Where a matter lies, if the viewer may see it: its point (NULL without coordinates).
-- returns: id, lon, lat, status, duplicate_of
-- params: scope, matter_id
SELECT matter_id AS id, lon, lat, status, duplicate_of
FROM matters
WHERE matter_id = $matter_id AND list_contains($scope::INTEGER[], coalesce(village_id, -1));
