-- Every cell with a stored geometry (WKB, EPSG:4326), in id order.
-- params: none
-- returns: area_id, geom
SELECT area_id, geom FROM areas WHERE level = 'cell' AND geom IS NOT NULL ORDER BY area_id;
