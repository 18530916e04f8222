-- A matter registered (受理) through the API, with its first event written beside it.
-- params: matter_id, source, external_ref, category_id, major_code, description, address, reporter, lon, lat, cell_id, village_id, level, urgent, status, created_at, limit_min, due_at, updated_at
INSERT INTO matters (matter_id, source, external_ref, category_id, major_code, description, address,
                     reporter, lon, lat, cell_id, village_id, level, urgent, status, created_at,
                     limit_min, due_at, updated_at, event_count, origin)
VALUES ($matter_id, $source, $external_ref, $category_id, $major_code, $description, $address,
        $reporter, $lon, $lat, $cell_id, $village_id, $level, $urgent, $status, $created_at,
        $limit_min, $due_at, $updated_at, 1, 'api');
