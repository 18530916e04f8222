-- The matters' columns the pandas baseline of the overview benchmark loads into memory.
-- params: none
-- returns: matter_id, status, source, major_code, lead_dept_id, cell_id, village_id, created_at, closed_at, followed_up_at, satisfaction, due_at, limit_min, suspended_at, remaining_min_at_suspend
SELECT matter_id, status, source, major_code, lead_dept_id, cell_id, village_id, created_at, closed_at,
       followed_up_at, satisfaction, due_at, limit_min, suspended_at, remaining_min_at_suspend
FROM matters;
