-- What an import did, for its summary.
-- returns: imported, events, status_conflicts, first_created, last_created
-- params: none
SELECT count(*) FILTER (WHERE c.reason IS NULL) AS imported,
       coalesce(sum(s.steps) FILTER (WHERE c.reason IS NULL), 0) AS events,
       count(*) FILTER (WHERE c.reason IS NULL AND c.status_conflict) AS status_conflicts,
       min(c.created_ts) FILTER (WHERE c.reason IS NULL) AS first_created,
       max(c.created_ts) FILTER (WHERE c.reason IS NULL) AS last_created
FROM import_checked c
LEFT JOIN import_chain_shape s ON s.status = c.final_status;
