-- The working calendar rewritten from a rebuilt one (registered by the caller as
-- work_days_new, the same days and columns); the caller rebuilds the derived tables after
-- it. An update, not delete-and-insert: DuckDB refuses to re-insert a deleted key in the
-- transaction that deleted it.
-- params: none
UPDATE work_days
SET kind = n.kind, festival = n.festival, is_workday = n.is_workday, am_start = n.am_start,
    am_end = n.am_end, pm_start = n.pm_start, pm_end = n.pm_end, cum_min_before = n.cum_min_before,
    schedule_known = n.schedule_known
FROM work_days_new n
WHERE work_days.day = n.day;
