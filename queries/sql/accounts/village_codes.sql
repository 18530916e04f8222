-- The villages by code, and their ids (to check and to resolve a user's scope).
-- params: none
-- returns: area_id, code
SELECT area_id, code FROM areas WHERE level = 'village' ORDER BY area_id;
