-- The first id a new grid's areas take: after every id used so far, so an area id never
-- changes meaning (pages, caches and scopes holding an old id find nothing, not a
-- different place).
-- returns: next_id
-- params: none
SELECT coalesce(max(area_id), 0) + 1 AS next_id FROM areas;
