-- How many areas came from an import rather than the demo: a demo on a real grid cannot be
-- topped up.
-- returns: imported_areas
-- params: none
SELECT count(*) AS imported_areas
FROM areas
WHERE origin <> 'demo'
