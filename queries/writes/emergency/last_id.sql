-- The highest emergency id so far (NULL: none).
-- params: none
SELECT max(emergency_id) AS last FROM emergencies;
