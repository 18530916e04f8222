-- The 30-day history of a part of the township: per day from 29 days before $now's day
-- to that day, the matters received and closed there (zero on quiet days), from the
-- indicator rollup. In scope, in $villages and in $cell_ids (NULL: all).
-- returns: day, received, closed
-- params: scope, villages, cell_ids, now
WITH days AS (
    SELECT CAST(d AS DATE) AS day
    FROM range(CAST(CAST($now AS DATE) - 29 AS TIMESTAMP), CAST(CAST($now AS DATE) + 1 AS TIMESTAMP),
               INTERVAL 1 DAY) r(d)
),
counts AS (
    SELECT day, sum(received) AS received, sum(closed) AS closed
    FROM indicator_rollup
    WHERE day BETWEEN CAST($now AS DATE) - 29 AND CAST($now AS DATE)
      AND list_contains($scope::INTEGER[], village_id)
      AND ($villages::INTEGER[] IS NULL OR list_contains($villages::INTEGER[], village_id))
      AND ($cell_ids::INTEGER[] IS NULL OR list_contains($cell_ids::INTEGER[], cell_id))
    GROUP BY day
)
SELECT days.day, CAST(coalesce(c.received, 0) AS BIGINT) AS received,
       CAST(coalesce(c.closed, 0) AS BIGINT) AS closed
FROM days
LEFT JOIN counts c ON c.day = days.day
ORDER BY days.day;
