-- The demo's emergency resources (grid workers, teams, shelters, cameras, hazard sites)
-- from the registered demo_resources.
-- params: none
INSERT INTO resources (resource_id, kind, name, lon, lat, cell_id, village_id, phone, capacity, note)
SELECT resource_id, kind, name, lon, lat, cell_id, village_id, phone, capacity, note
FROM demo_resources;
