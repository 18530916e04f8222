-- Closures as the event log has them at instant $at (time playback): per lead department
-- (-1: none) and day, the matters closed (办结) in the 30 days up to $at's day whose last
-- close or reopen up to $at is a close, each counted on the day of that close, with its
-- lead department then; and received: the matters registered on $at's day up to $at
-- (department -1). Per village (-1: none), source and 大类 ('' none) as well, for the
-- overview's filters. In scope (a matter without a village counts as -1).
-- returns: dept_id, village_id, source, major_code, day, closed, received
-- params: at, scope
WITH touched AS (
    SELECT DISTINCT matter_id
    FROM events
    WHERE action = 'close'
      AND occurred_at >= CAST(CAST($at AS DATE) - 29 AS TIMESTAMP) AND occurred_at <= $at
),
folded AS (
    SELECT e.matter_id,
           arg_max_null(CASE WHEN e.action = 'close' THEN e.occurred_at END, e.seq)
               FILTER (WHERE e.action IN ('close', 'reopen')) AS closed_at,
           arg_max_null(CASE WHEN e.action = 'dispatch' THEN e.dept_id END, e.seq)
               FILTER (WHERE e.action IN ('dispatch', 'return')) AS lead_dept_id
    FROM events e
    JOIN touched t ON t.matter_id = e.matter_id
    WHERE e.occurred_at <= $at
    GROUP BY e.matter_id
)
SELECT coalesce(f.lead_dept_id, -1) AS dept_id, coalesce(m.village_id, -1) AS village_id, m.source,
       coalesce(m.major_code, '') AS major_code, CAST(f.closed_at AS DATE) AS day,
       count(*) AS closed, CAST(0 AS BIGINT) AS received
FROM folded f
JOIN matters m ON m.matter_id = f.matter_id
WHERE f.closed_at IS NOT NULL
  AND CAST(f.closed_at AS DATE) >= CAST($at AS DATE) - 29
  AND list_contains($scope::INTEGER[], coalesce(m.village_id, -1))
GROUP BY ALL
UNION ALL
SELECT -1, coalesce(village_id, -1), source, coalesce(major_code, ''), CAST($at AS DATE), CAST(0 AS BIGINT),
       count(*)
FROM matters
WHERE created_at >= CAST(CAST($at AS DATE) AS TIMESTAMP) AND created_at <= $at
  AND list_contains($scope::INTEGER[], coalesce(village_id, -1))
GROUP BY ALL
ORDER BY 1, 2, 3, 4, 5;
