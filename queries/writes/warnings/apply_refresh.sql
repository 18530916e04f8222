-- Bring the stored warnings in step with those observed now: the relation
-- observed_warnings (one row per key, the columns of the warnings/* queries) is registered
-- on the cursor by queries/warnings.py refresh_warnings. A key not stored, resolved, or
-- seen again at a higher severity is raised (and needs a new acknowledgement); a stored
-- active key no longer observed is resolved; the figures of the others are updated.
-- params: now
INSERT INTO warning_events
SELECT o.warning_key, 'raised', NULL, $now, o.method || ' ' || o.severity
FROM observed_warnings o
LEFT JOIN warnings w ON w.warning_key = o.warning_key
WHERE w.warning_key IS NULL OR w.resolved_at IS NOT NULL
   OR CASE o.severity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END
      > CASE w.severity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END;
INSERT INTO warning_events
SELECT warning_key, 'resolved', NULL, $now, NULL
FROM warnings
WHERE resolved_at IS NULL AND warning_key NOT IN (SELECT warning_key FROM observed_warnings);
UPDATE warnings SET resolved_at = $now
WHERE resolved_at IS NULL AND warning_key NOT IN (SELECT warning_key FROM observed_warnings);
INSERT INTO warnings (warning_key, method, severity, scope_level, village_id, cell_id, dept_id, major_code,
                      category_id, matter_id, address, observed, expected, threshold, statistic,
                      window_start, window_end, first_seen, last_seen, resolved_at, acknowledged_by,
                      acknowledged_at)
SELECT warning_key, method, severity, scope_level, village_id, cell_id, dept_id, major_code, category_id,
       matter_id, address, observed, expected, threshold, statistic, window_start, window_end,
       $now, $now, NULL, NULL, NULL
FROM observed_warnings
ON CONFLICT (warning_key) DO UPDATE SET
    first_seen = CASE WHEN warnings.resolved_at IS NOT NULL THEN excluded.first_seen ELSE warnings.first_seen END,
    acknowledged_by = CASE WHEN warnings.resolved_at IS NOT NULL
                             OR CASE excluded.severity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END
                                > CASE warnings.severity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END
                           THEN NULL ELSE warnings.acknowledged_by END,
    acknowledged_at = CASE WHEN warnings.resolved_at IS NOT NULL
                             OR CASE excluded.severity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END
                                > CASE warnings.severity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END
                           THEN NULL ELSE warnings.acknowledged_at END,
    method = excluded.method, severity = excluded.severity, scope_level = excluded.scope_level,
    village_id = excluded.village_id, cell_id = excluded.cell_id, dept_id = excluded.dept_id,
    major_code = excluded.major_code, category_id = excluded.category_id, matter_id = excluded.matter_id,
    address = excluded.address, observed = excluded.observed, expected = excluded.expected,
    threshold = excluded.threshold, statistic = excluded.statistic, window_start = excluded.window_start,
    window_end = excluded.window_end, last_seen = excluded.last_seen, resolved_at = NULL;
