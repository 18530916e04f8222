-- Deadline warnings (DOMAIN.md §4, §8) at $now, one per open matter at most: red (overdue),
-- yellow (less than yellow_share of the limit left), and predicted overdue: still green but
-- predict_share of the limit elapsed with no feedback yet. observed is the elapsed share of
-- the limit, expected 1 (the limit), threshold the share that triggers it; statistic is
-- the working minutes left (negative: overdue by that much); the window runs from the
-- matter's creation to its deadline. Matters paused (缓办) or escalated are left out.
-- A matter with a due time but no working-time limit (an imported one) is judged by
-- calendar time: its elapsed share is the share of the span creation → due that has
-- passed (its light follows the same rule, migration 017).
-- The columns are those of every warnings/* query (queries/warnings.py stores them).
-- returns: warning_key, method, severity, scope_level, village_id, cell_id, dept_id
-- returns: major_code, category_id, matter_id, address, observed, expected, threshold
-- returns: statistic, window_start, window_end, detected_on
-- params: scope, now, yellow_share, predict_share
WITH lit AS (
    SELECT l.*,
           CASE WHEN l.limit_min > 0 THEN 1.0 - l.remaining_min / l.limit_min
                WHEN l.due_at > l.created_at
                    THEN (epoch(CAST($now AS TIMESTAMP)) - epoch(l.created_at)) / (epoch(l.due_at) - epoch(l.created_at))
                ELSE 1.0 END AS elapsed_share
    FROM open_matter_lights($now, $yellow_share) l
    WHERE list_contains($scope::INTEGER[], coalesce(l.village_id, -1))
      AND l.status <> 'escalated' AND (l.limit_min > 0 OR (l.limit_min IS NULL AND l.due_at IS NOT NULL))
),
flagged AS (
    SELECT *,
           CASE WHEN light = 'red' THEN 'deadline_red'
                WHEN light = 'yellow' THEN 'deadline_yellow'
                ELSE 'predicted_overdue' END AS method
    FROM lit
    WHERE light IN ('red', 'yellow')
       OR (light = 'green' AND elapsed_share >= $predict_share
           AND status IN ('registered', 'dispatched', 'handling', 'returned'))
)
SELECT method || ':matter:' || CAST(matter_id AS VARCHAR) AS warning_key,
       method,
       CASE method WHEN 'deadline_red' THEN 'high' WHEN 'deadline_yellow' THEN 'medium' ELSE 'low' END AS severity,
       'matter' AS scope_level,
       village_id, cell_id, lead_dept_id AS dept_id, major_code, category_id, matter_id,
       CAST(NULL AS VARCHAR) AS address,
       elapsed_share AS observed,
       1.0 AS expected,
       CASE method WHEN 'deadline_red' THEN 1.0 WHEN 'deadline_yellow' THEN 1.0 - CAST($yellow_share AS DOUBLE)
                   ELSE CAST($predict_share AS DOUBLE) END AS threshold,
       CAST(remaining_min AS DOUBLE) AS statistic,
       CAST(created_at AS DATE) AS window_start,
       CAST(due_at AS DATE) AS window_end,
       CAST($now AS DATE) AS detected_on
FROM flagged
ORDER BY statistic, matter_id;
