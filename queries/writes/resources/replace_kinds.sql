-- An import's resources (the registered import_resources: __row, kind, name, lon, lat,
-- cell_id, village_id, contact, state, capacity, note, external_ref) replace every
-- resource of the kinds it holds. New ids follow the highest before the import (an id
-- never comes back with another meaning), in file order.
-- params: none
CREATE OR REPLACE TEMP TABLE import_resource_base AS
SELECT coalesce(max(resource_id), 0) AS base FROM resources;
DELETE FROM resources WHERE kind IN (SELECT DISTINCT kind FROM import_resources);
INSERT INTO resources (resource_id, kind, name, lon, lat, cell_id, village_id, contact, state, capacity,
                       note, external_ref, origin)
SELECT (SELECT base FROM import_resource_base) + row_number() OVER (ORDER BY __row),
       kind, name, lon, lat, cell_id, village_id, contact, state, capacity, note, external_ref, 'imported'
FROM import_resources;
DROP TABLE import_resource_base;
