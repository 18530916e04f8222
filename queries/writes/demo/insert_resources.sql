-- The demo's resources (grid workers, teams, vehicles, shelters, cameras, hazard and key
-- sites) from the registered demo_resources.
-- params: none
INSERT INTO resources (resource_id, kind, name, lon, lat, cell_id, village_id, contact, state, capacity, note)
SELECT resource_id, kind, name, lon, lat, cell_id, village_id, contact, state, capacity, note
FROM demo_resources;
