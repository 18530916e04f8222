-- Resources (DOMAIN.md §5, §9): what the center calls on or watches, each a point with its
-- cell, a contact and a state. The kinds: grid workers (网格员), emergency teams (应急队伍),
-- vehicles (车辆), shelters (避难场所), cameras (视频监控), hazard sites (危险源) and key
-- sites (重点部位). The first schema's table had five kinds and no state: it is rebuilt
-- with its rows kept (phone becomes contact), since DuckDB cannot widen a CHECK in place.

CREATE TABLE resources_v2 (
    resource_id  INTEGER PRIMARY KEY,
    kind         VARCHAR NOT NULL CHECK (kind IN ('grid_worker', 'emergency_team', 'vehicle', 'shelter',
                                                  'camera', 'hazard_site', 'key_site')),
    name         VARCHAR NOT NULL,
    lon          DOUBLE NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat          DOUBLE NOT NULL CHECK (lat BETWEEN -90 AND 90),
    cell_id      INTEGER,                     -- the cell holding the point (NULL: outside the grid)
    village_id   INTEGER,
    contact      VARCHAR,                     -- a phone number or a person to call
    state        VARCHAR NOT NULL DEFAULT 'available'
                 CHECK (state IN ('available', 'busy', 'offline')),
    capacity     INTEGER,                     -- shelters: people; teams: members; vehicles: seats
    note         VARCHAR,
    external_ref VARCHAR,                     -- the id in the file it was imported from
    origin       VARCHAR NOT NULL DEFAULT 'demo'
);

INSERT INTO resources_v2 (resource_id, kind, name, lon, lat, cell_id, village_id, contact, capacity, note)
SELECT resource_id, kind, name, lon, lat, cell_id, village_id, phone, capacity, note FROM resources;

DROP TABLE resources;
ALTER TABLE resources_v2 RENAME TO resources;
