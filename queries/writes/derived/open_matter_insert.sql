-- Put one open matter into the current-state table, as the write path has it in hand.
-- params: matter_id, status, source, category_id, major_code, lead_dept_id, cell_id, village_id
-- params: level, urgent, created_at, due_at, limit_min, suspended_at, remaining_min_at_suspend
-- params: supervision_count, description, address, external_ref, due_work_min
INSERT INTO open_matters (matter_id, status, source, category_id, major_code, lead_dept_id, cell_id,
                          village_id, level, urgent, created_at, due_at, limit_min, suspended_at,
                          remaining_min_at_suspend, supervision_count, description, address,
                          external_ref, due_work_min)
VALUES ($matter_id, $status, $source, $category_id, $major_code, $lead_dept_id, $cell_id, $village_id,
        $level, $urgent, $created_at, $due_at, $limit_min, $suspended_at, $remaining_min_at_suspend,
        $supervision_count, $description, $address, $external_ref, $due_work_min);
