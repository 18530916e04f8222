-- The matter an emergency is declared from, in scope: its level, whether it is urgent,
-- where it lies.
-- returns: matter_id, level, urgent, lon, lat, status
-- params: matter_id, scope
SELECT matter_id, level, urgent, lon, lat, status
FROM matters
WHERE matter_id = $matter_id AND list_contains($scope::INTEGER[], coalesce(village_id, -1));
