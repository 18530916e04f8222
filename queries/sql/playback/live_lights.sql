-- Every open matter in scope with its light now, from the current-state table (what the
-- live board shows; time playback is checked against it).
-- returns: matter_id, status, lead_dept_id, cell_id, remaining_min, light
-- params: scope, now, yellow_share
SELECT matter_id, status, lead_dept_id, cell_id, remaining_min, light
FROM open_matter_lights($now, $yellow_share)
WHERE list_contains($scope::INTEGER[], coalesce(village_id, -1))
ORDER BY matter_id;
