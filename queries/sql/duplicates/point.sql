-- Where a matter lies, if the viewer may see it: its point (NULL without coordinates).
-- handled_by: a department user's department, whose matters alone (lead or co-handling) it
-- sees; NULL for every other role.
-- returns: id, lon, lat, status, duplicate_of
-- params: scope, handled_by, matter_id
SELECT matter_id AS id, lon, lat, status, duplicate_of
FROM matters
WHERE matter_id = $matter_id AND list_contains($scope::INTEGER[], coalesce(village_id, -1))
  AND ($handled_by::INTEGER IS NULL OR matters.lead_dept_id = $handled_by::INTEGER
       OR list_contains(coalesce(matters.co_dept_ids, []::INTEGER[]), $handled_by::INTEGER));
