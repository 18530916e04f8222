-- Repeat complaints (重复投诉, DOMAIN.md §8): the same address and 小类 at least repeat_min
-- times within the repeat_days days ending a day, or the same cell and 小类 within the
-- repeat_cell_days days (a cell hears more, so its window is its own), counting matters
-- from repeat_sources (NULL: every source) and leaving voided ones out. Tiers: 2, 3 and 4
-- (four or more; statistic). A cell is reported only when its complaints come from more
-- than one address (one address is reported as the address). Rows for the days from
-- from_day to $now's day on which a group's tier changed, and for $now's day for every
-- group at or above repeat_min then, so the last row of a key is its current state.
-- observed is the count in the window (window_start / window_end: its first and last
-- complaint), threshold repeat_min, expected NULL (there is no baseline to a repeat).
-- The key names the address (by a hash) or cell and the 小类.
-- returns: warning_key, method, severity, scope_level, village_id, cell_id, dept_id
-- returns: major_code, category_id, matter_id, address, observed, expected, threshold
-- returns: statistic, window_start, window_end, detected_on
-- params: scope, now, from_day, repeat_days, repeat_cell_days, repeat_min, repeat_sources
WITH bounds AS (
    SELECT CAST($now AS DATE) AS today, CAST($from_day AS DATE) AS first_day,
           CAST($repeat_days AS INTEGER) AS n_days, CAST($repeat_cell_days AS INTEGER) AS cell_days
),
complaints AS (
    SELECT CAST(m.created_at AS DATE) AS day, m.village_id, m.cell_id, m.category_id, m.major_code,
           m.address
    FROM matters m, bounds b
    WHERE m.created_at >= b.first_day - greatest(b.n_days, b.cell_days) AND m.created_at <= $now
      AND m.voided_at IS NULL AND m.category_id IS NOT NULL
      AND ($repeat_sources::VARCHAR[] IS NULL OR list_contains($repeat_sources::VARCHAR[], m.source))
      AND list_contains($scope::INTEGER[], coalesce(m.village_id, -1))
),
grouped AS (
    SELECT 'address' AS scope_level, address AS grp, category_id, day, address,
           village_id, cell_id, major_code
    FROM complaints
    WHERE address IS NOT NULL
    UNION ALL
    SELECT 'cell', CAST(cell_id AS VARCHAR), category_id, day, address, village_id, cell_id, major_code
    FROM complaints
    WHERE cell_id IS NOT NULL
),
days AS (
    SELECT CAST(unnest(generate_series(first_day, today, INTERVAL 1 DAY)) AS DATE) AS detected_on FROM bounds
),
windowed AS (
    SELECT d.detected_on, g.scope_level, g.grp, g.category_id,
           any_value(g.village_id) AS village_id, any_value(g.cell_id) AS cell_id,
           any_value(g.major_code) AS major_code,
           CASE WHEN g.scope_level = 'address' THEN any_value(g.address) END AS address,
           count(*) AS n, count(DISTINCT g.address) AS addresses,
           min(g.day) AS window_start, max(g.day) AS window_end
    FROM grouped g
    CROSS JOIN bounds b
    JOIN days d ON g.day > d.detected_on - CASE g.scope_level WHEN 'cell' THEN b.cell_days ELSE b.n_days END
               AND g.day <= d.detected_on
    GROUP BY d.detected_on, g.scope_level, g.grp, g.category_id
    HAVING count(*) >= $repeat_min AND (g.scope_level = 'address' OR count(DISTINCT g.address) > 1)
),
tiered AS (
    SELECT *, least(n, 4) AS tier,
           lag(least(n, 4)) OVER w AS previous_tier,
           lag(detected_on) OVER w AS previous_day
    FROM windowed
    WINDOW w AS (PARTITION BY scope_level, grp, category_id ORDER BY detected_on)
)
SELECT 'repeat:' || scope_level || ':'
           || CASE scope_level WHEN 'address' THEN substr(md5(grp), 1, 12) ELSE grp END
           || ':' || CAST(category_id AS VARCHAR) AS warning_key,
       'repeat_complaint' AS method,
       CASE WHEN tier >= 4 THEN 'high' WHEN tier = 3 THEN 'medium' ELSE 'low' END AS severity,
       scope_level, village_id, cell_id, CAST(NULL AS INTEGER) AS dept_id, major_code, category_id,
       CAST(NULL AS BIGINT) AS matter_id, address,
       CAST(n AS DOUBLE) AS observed, CAST(NULL AS DOUBLE) AS expected,
       CAST($repeat_min AS DOUBLE) AS threshold, CAST(tier AS DOUBLE) AS statistic,
       window_start, window_end, detected_on
FROM tiered
WHERE detected_on = CAST($now AS DATE)
   OR previous_tier IS DISTINCT FROM tier
   OR previous_day <> detected_on - 1
ORDER BY detected_on, scope_level, cell_id, category_id, warning_key;
