-- Rebuild the current-state table of open matters from the matters (after a bulk load).
-- params: open_statuses
DELETE FROM open_matters;
INSERT INTO open_matters
SELECT m.matter_id, m.status, m.source, m.category_id, m.major_code, m.lead_dept_id, m.cell_id,
       m.village_id, m.level, m.urgent, m.created_at, m.due_at, m.limit_min, m.suspended_at,
       m.remaining_min_at_suspend, m.supervision_count, m.description, m.address, m.external_ref,
       d.cum_min_before + day_work_min(hour(m.due_at) * 60 + minute(m.due_at) + second(m.due_at) / 60.0,
                                       d.am_start, d.am_end, d.pm_start, d.pm_end) AS due_work_min
FROM matters m
LEFT JOIN work_days d ON d.day = CAST(m.due_at AS DATE)
WHERE list_contains($open_statuses, m.status);
