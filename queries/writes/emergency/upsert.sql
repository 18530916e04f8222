-- The emergency's row as the step function left it (new, or replacing the old one).
-- params: emergency_id, title, level, kind, commander, matter_id, area_kind, radius_m, area_geojson
-- params: min_lon, min_lat, max_lon, max_lat, sign_alarm_min, status, declared_at, declared_by
-- params: closed_at, closing_note, event_count
INSERT OR REPLACE INTO emergencies (emergency_id, title, level, kind, commander, matter_id, area_kind, radius_m,
                                    area_geojson, min_lon, min_lat, max_lon, max_lat, sign_alarm_min, status,
                                    declared_at, declared_by, closed_at, closing_note, event_count)
VALUES ($emergency_id, $title, $level, $kind, $commander, $matter_id, $area_kind, $radius_m, $area_geojson,
        $min_lon, $min_lat, $max_lon, $max_lat, $sign_alarm_min, $status, $declared_at, $declared_by,
        $closed_at, $closing_note, $event_count);
