-- Rebuild the current-state table of open matters from the matters (after a bulk load).
-- params: open_statuses
DELETE FROM open_matters;
INSERT INTO open_matters
SELECT matter_id, status, source, category_id, major_code, lead_dept_id, cell_id, village_id,
       level, urgent, created_at, due_at, limit_min, suspended_at, remaining_min_at_suspend,
       supervision_count, description, address, external_ref
FROM matters
WHERE list_contains($open_statuses, status);
