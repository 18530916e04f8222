-- Bring the current-state table in step with some matters after they changed.
-- params: matter_ids, open_statuses
DELETE FROM open_matters WHERE list_contains($matter_ids, matter_id);
INSERT INTO open_matters
SELECT matter_id, status, source, category_id, major_code, lead_dept_id, cell_id, village_id,
       level, urgent, created_at, due_at, limit_min, suspended_at, remaining_min_at_suspend,
       supervision_count, description, address, external_ref
FROM matters
WHERE list_contains($matter_ids, matter_id) AND list_contains($open_statuses, status);
