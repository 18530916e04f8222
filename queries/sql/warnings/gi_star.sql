-- Hot spots (DOMAIN.md §8): Getis-Ord Gi* over the stored cell adjacency (queen contiguity,
-- each cell its own neighbour too; binary weights), for each day from from_day to $now's
-- day, on the matters received (voided ones left out; 大类 filtered by majors) in each
-- cell over the gi_window_days ending that day. gi_metric 'count' takes the counts as they
-- are (lasting hot spots: busy streets); 'excess' takes each cell's Pearson residual
-- (x − e) / √(e + 1) against its expected count e: its count over the season_weeks weeks
-- before the window, scaled to the window's length and by the day's overall ratio of
-- observed to expected (areas hotter than usual, not the whole township busier). With n cells in scope, x̄ and
-- S the mean and standard deviation of the values, w_i the cell's neighbourhood size:
--   Gi* = (Σ_{j∈N(i)} x_j − x̄·w_i) / (S · √((n·w_i − w_i²) / (n − 1)))
-- which is a z-value: 1.645 / 1.960 / 2.576 are the 90 / 95 / 99 % levels (severity low /
-- medium / high). Rows for cells with z ≥ gi_z and at least gi_min_observed matters in the
-- neighbourhood; with gi_cores_only, only the cluster's core (z not below any neighbour's),
-- so one cluster is one warning. observed is the neighbourhood's matters in the window,
-- expected their expectation (excess) or x̄·w_i (count); statistic z, threshold gi_z.
-- returns: warning_key, method, severity, scope_level, village_id, cell_id, dept_id
-- returns: major_code, category_id, matter_id, address, observed, expected, threshold
-- returns: statistic, window_start, window_end, detected_on
-- params: scope, now, from_day, majors, gi_window_days, season_weeks, gi_metric, gi_z
-- params: gi_min_observed, gi_cores_only
WITH bounds AS (
    SELECT CAST($now AS DATE) AS today, CAST($from_day AS DATE) AS first_day,
           CAST($gi_window_days AS INTEGER) AS win, 7 * CAST($season_weeks AS INTEGER) AS base_days
),
cells AS (
    SELECT area_id AS cell_id, village_id
    FROM areas
    WHERE level = 'cell' AND list_contains($scope::INTEGER[], village_id)
),
days AS (
    SELECT CAST(unnest(generate_series(first_day, today, INTERVAL 1 DAY)) AS DATE) AS day FROM bounds
),
daily AS (
    SELECT m.cell_id, CAST(m.created_at AS DATE) AS day, count(*) AS n
    FROM matters m, bounds b
    WHERE m.created_at >= b.first_day - (b.win + b.base_days) AND m.created_at <= $now
      AND m.voided_at IS NULL AND m.cell_id IS NOT NULL
      AND list_contains($scope::INTEGER[], coalesce(m.village_id, -1))
      AND ($majors::VARCHAR[] IS NULL OR list_contains($majors::VARCHAR[], coalesce(m.major_code, '')))
    GROUP BY ALL
),
observed AS (
    SELECT d.day, c.cell_id, c.village_id,
           CAST(coalesce(sum(x.n) FILTER (WHERE x.day > d.day - b.win), 0) AS DOUBLE) AS observed,
           coalesce(sum(x.n) FILTER (WHERE x.day <= d.day - b.win), 0) * b.win / b.base_days AS expected
    FROM days d
    CROSS JOIN cells c
    CROSS JOIN bounds b
    LEFT JOIN daily x ON x.cell_id = c.cell_id AND x.day > d.day - (b.win + b.base_days) AND x.day <= d.day
    GROUP BY d.day, c.cell_id, c.village_id, b.win, b.base_days
),
-- Expected counts scaled by the day's overall ratio observed ÷ expected, so that what moves
-- every cell at once (a holiday week, the season, growth) is not a hot spot.
standardised AS (
    SELECT o.* EXCLUDE (expected),
           o.expected * coalesce(sum(o.observed) OVER (PARTITION BY o.day)
                                 / nullif(sum(o.expected) OVER (PARTITION BY o.day), 0), 1) AS expected
    FROM observed o
),
valued AS (
    SELECT *,
           CASE WHEN $gi_metric = 'count' THEN observed
                ELSE (observed - expected) / sqrt(expected + 1) END AS x
    FROM standardised
),
global AS (
    SELECT day, count(*) AS n, avg(x) AS xbar, sqrt(greatest(avg(x * x) - avg(x) ^ 2, 0)) AS s
    FROM valued
    GROUP BY day
),
neighbourhood AS (
    SELECT a.cell_id, a.neighbor_id
    FROM cell_adjacency a
    WHERE a.cell_id IN (SELECT cell_id FROM cells) AND a.neighbor_id IN (SELECT cell_id FROM cells)
    UNION ALL
    SELECT cell_id, cell_id FROM cells
),
local AS (
    SELECT v.day, nb.cell_id, sum(v.x) AS wx, count(*) AS w,
           sum(v.observed) AS local_observed, sum(v.expected) AS local_expected
    FROM neighbourhood nb
    JOIN valued v ON v.cell_id = nb.neighbor_id
    GROUP BY v.day, nb.cell_id
),
gi AS (
    SELECT l.*, c.village_id, g.xbar,
           CASE WHEN g.s > 0 AND g.n > l.w
                THEN (l.wx - g.xbar * l.w) / (g.s * sqrt((g.n * l.w - l.w * l.w) / (g.n - 1.0))) END AS z
    FROM local l
    JOIN global g ON g.day = l.day
    JOIN cells c ON c.cell_id = l.cell_id
),
cores AS (
    SELECT g.day, g.cell_id,
           g.z >= coalesce(max(o.z) FILTER (WHERE nb.neighbor_id <> nb.cell_id), g.z) AS is_core
    FROM gi g
    JOIN neighbourhood nb ON nb.cell_id = g.cell_id
    JOIN gi o ON o.day = g.day AND o.cell_id = nb.neighbor_id
    WHERE g.z >= $gi_z
    GROUP BY g.day, g.cell_id, g.z
)
SELECT 'gi_star:cell:' || CAST(g.cell_id AS VARCHAR) AS warning_key,
       'gi_star' AS method,
       CASE WHEN g.z >= 2.576 THEN 'high' WHEN g.z >= 1.960 THEN 'medium' ELSE 'low' END AS severity,
       'cell' AS scope_level, g.village_id, g.cell_id, CAST(NULL AS INTEGER) AS dept_id,
       CAST(NULL AS VARCHAR) AS major_code, CAST(NULL AS INTEGER) AS category_id,
       CAST(NULL AS BIGINT) AS matter_id, CAST(NULL AS VARCHAR) AS address,
       g.local_observed AS observed,
       CASE WHEN $gi_metric = 'count' THEN g.xbar * g.w ELSE g.local_expected END AS expected,
       CAST($gi_z AS DOUBLE) AS threshold, g.z AS statistic,
       CAST(g.day - (SELECT win FROM bounds) + 1 AS DATE) AS window_start, g.day AS window_end,
       g.day AS detected_on
FROM gi g
JOIN cores c ON c.day = g.day AND c.cell_id = g.cell_id
WHERE g.local_observed >= $gi_min_observed
  AND (NOT $gi_cores_only OR c.is_core)
ORDER BY detected_on, statistic DESC, g.cell_id;
