-- The imported matters' events, from the chain of their status (actor "import"; the
-- first event notes the file).
-- params: note
INSERT INTO events (matter_id, seq, action, actor, occurred_at, from_status, to_status, dept_id,
                    minutes, value, note)
SELECT c.matter_id, ch.seq, ch.action, 'import',
       CASE WHEN ch.at_close THEN c.closed_ts ELSE c.created_ts END,
       ch.from_status, ch.to_status,
       CASE WHEN ch.by_dept THEN d.dept_id END,
       NULL, NULL,
       CASE WHEN ch.seq = 1 THEN $note END
FROM import_accepted c
JOIN import_chain ch ON ch.status = c.final_status
LEFT JOIN import_dept_ids d ON d.department = c.department;
