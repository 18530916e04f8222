-- What shows the mapping itself is wrong (the import then changes nothing): status values
-- the [status] table does not map, and timestamp columns where no value parses.
-- returns: unmapped_statuses, created_at_present, created_at_parsed, created_at_sample
-- returns: closed_at_present, closed_at_parsed, closed_at_sample
-- returns: due_at_present, due_at_parsed, due_at_sample
-- params: none
SELECT (SELECT list(DISTINCT status_key ORDER BY status_key) FROM import_checked
        WHERE status_key IS NOT NULL AND mapped_status IS NULL) AS unmapped_statuses,
       count(created_text) AS created_at_present, count(created_ts) AS created_at_parsed,
       min(created_text) AS created_at_sample,
       count(closed_text) AS closed_at_present, count(closed_ts) AS closed_at_parsed,
       min(closed_text) AS closed_at_sample,
       count(due_text) AS due_at_present, count(due_ts) AS due_at_parsed,
       min(due_text) AS due_at_sample
FROM import_checked;
