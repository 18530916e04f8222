-- One emergency's current row.
-- returns: emergency_id, title, level, kind, commander, matter_id, area_kind, radius_m, area_geojson
-- returns: min_lon, min_lat, max_lon, max_lat, sign_alarm_min, status, declared_at, declared_by
-- returns: closed_at, closing_note, event_count
-- params: emergency_id
SELECT emergency_id, title, level, kind, commander, matter_id, area_kind, radius_m, area_geojson,
       min_lon, min_lat, max_lon, max_lat, sign_alarm_min, status, declared_at, declared_by,
       closed_at, closing_note, event_count
FROM emergencies WHERE emergency_id = $emergency_id;
