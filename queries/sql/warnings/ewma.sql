-- Slow drifts per department (DOMAIN.md §8): EWMA control charts on each department's daily
-- on-time rate (feedback by the deadline, by the day of feedback) and daily volume
-- (matters received with it as lead department), over the ewma_days complete days before
-- $now's day. The target and σ come from the ewma_baseline_days before those: on-time
-- p0 = on time ÷ handled, volume μ0 and σ0 = max(sd, √μ0). The charts are the closed form of
-- z_t = λ·x_t + (1 − λ)·z_{t−1}, z_0 = target:
--   z_t = (1 − λ)^t · (target + λ · Σ_{j≤t} x_j (1 − λ)^(−j)),
-- with the exact variance for the day's own σ_j² (for the rate p0(1 − p0)/n_j times σ_z², the
-- baseline's overdispersion as in Laney's p′ chart; σ0² for volume): Var z_t = λ² Σ_{j≤t} (1 − λ)^(2(t−j)) σ_j². The rate chart steps only on days
-- with feedback, the volume chart only on normal days (public holidays and 调休 days are
-- left out of its baseline and its steps). Alarm when the chart leaves target ± ewma_l·√Var on the bad side: the
-- on-time rate falling, the volume rising. statistic is that distance in σ (positive =
-- worse), threshold ewma_l; observed the chart's value, expected the target (a share, or
-- matters a day). Rows for days from from_day on; the key names the department only.
-- returns: warning_key, method, severity, scope_level, village_id, cell_id, dept_id
-- returns: major_code, category_id, matter_id, address, observed, expected, threshold
-- returns: statistic, window_start, window_end, detected_on
-- params: scope, now, from_day, ewma_lambda, ewma_l, ewma_days, ewma_baseline_days
WITH bounds AS (
    SELECT CAST($now AS DATE) - 1 AS last_day,
           CAST($now AS DATE) - CAST($ewma_days AS INTEGER) AS start_day,
           CAST($now AS DATE) - CAST($ewma_days AS INTEGER) - CAST($ewma_baseline_days AS INTEGER) AS base_day,
           CAST($ewma_lambda AS DOUBLE) AS lam, CAST($ewma_l AS DOUBLE) AS l
),
daily AS (
    SELECT r.dept_id, r.day, sum(r.received) AS volume, sum(r.handled_with_due) AS n,
           sum(r.handled_on_time) AS on_time
    FROM indicator_rollup r, bounds b
    WHERE r.day BETWEEN b.base_day AND b.last_day AND r.dept_id > 0
      AND list_contains($scope::INTEGER[], r.village_id)
    GROUP BY r.dept_id, r.day
),
grid AS (
    SELECT d.dept_id, CAST(unnest(generate_series(b.base_day, b.last_day, INTERVAL 1 DAY)) AS DATE) AS day
    FROM (SELECT DISTINCT dept_id FROM daily) d, bounds b
),
series AS (
    SELECT g.dept_id, g.day, CAST(coalesce(x.volume, 0) AS DOUBLE) AS volume,
           CAST(coalesce(x.n, 0) AS DOUBLE) AS n, CAST(coalesce(x.on_time, 0) AS DOUBLE) AS on_time,
           w.kind IN ('holiday', 'adjusted_workday') AS special
    FROM grid g
    JOIN work_days w ON w.day = g.day
    LEFT JOIN daily x ON x.dept_id = g.dept_id AND x.day = g.day
),
rate0 AS (
    SELECT s.dept_id, sum(s.on_time) / nullif(sum(s.n), 0) AS p0
    FROM series s, bounds b
    WHERE s.day < b.start_day
    GROUP BY s.dept_id
),
-- Laney's σ_z: how much more the baseline's daily rates vary than binomial counts would
-- (overdispersion: the days differ in their mix of matters); at least 1.
laney AS (
    SELECT s.dept_id,
           greatest(coalesce(stddev_samp((s.on_time / s.n - r.p0) / sqrt(r.p0 * (1 - r.p0) / s.n)), 1), 1)
               AS sigma_z
    FROM series s
    JOIN rate0 r ON r.dept_id = s.dept_id
    CROSS JOIN bounds b
    WHERE s.day < b.start_day AND s.n > 0 AND r.p0 > 0 AND r.p0 < 1
    GROUP BY s.dept_id
),
baseline AS (
    SELECT s.dept_id,
           sum(s.on_time) / nullif(sum(s.n), 0) AS p0,
           coalesce(any_value(l.sigma_z), 1) AS sigma_z,
           avg(s.volume) FILTER (WHERE NOT s.special) AS mu0,
           greatest(stddev_samp(s.volume) FILTER (WHERE NOT s.special),
                    sqrt(avg(s.volume) FILTER (WHERE NOT s.special)), 0.5) AS sigma0
    FROM series s
    CROSS JOIN bounds b
    LEFT JOIN laney l ON l.dept_id = s.dept_id
    WHERE s.day < b.start_day
    GROUP BY s.dept_id
),
monitored AS (
    SELECT s.*, b.p0, b.sigma_z, b.mu0, b.sigma0, k.lam, k.l,
           CASE WHEN NOT s.special
                THEN row_number() OVER (PARTITION BY s.dept_id, s.special ORDER BY s.day) END AS t,
           CASE WHEN s.n > 0 THEN row_number() OVER (PARTITION BY s.dept_id, s.n > 0 ORDER BY s.day) END AS i
    FROM series s
    JOIN baseline b ON b.dept_id = s.dept_id
    CROSS JOIN bounds k
    WHERE s.day >= k.start_day
),
volume_chart AS (
    SELECT dept_id, day, mu0, sigma0, lam, l, t,
           sum(volume * pow(1 - lam, -t)) OVER (PARTITION BY dept_id ORDER BY day) AS acc
    FROM monitored
    WHERE NOT special AND mu0 IS NOT NULL
),
rate_chart AS (
    SELECT dept_id, day, p0, lam, l, i,
           -- p0(1 − p0) floored (a department always on time in the baseline still varies),
           -- times Laney's σ_z²
           greatest(p0 * (1 - p0), 0.01) * sigma_z * sigma_z AS pq,
           sum(on_time / n * pow(1 - lam, -i)) OVER (PARTITION BY dept_id ORDER BY day) AS acc,
           sum(pow(1 - lam, -2 * i) / n) OVER (PARTITION BY dept_id ORDER BY day) AS acc_var
    FROM monitored
    WHERE n > 0 AND p0 IS NOT NULL
),
charts AS (
    SELECT 'ewma_volume' AS method, dept_id, day,
           pow(1 - lam, t) * (mu0 + lam * acc) AS z,
           mu0 AS target,
           sigma0 * sqrt(lam / (2 - lam) * (1 - pow(1 - lam, 2 * t))) AS sd,
           l
    FROM volume_chart
    UNION ALL
    SELECT 'ewma_on_time', dept_id, day,
           pow(1 - lam, i) * (p0 + lam * acc),
           p0,
           sqrt(lam * lam * pq * pow(1 - lam, 2 * i) * acc_var),
           l
    FROM rate_chart
),
scored AS (
    SELECT *, CASE method WHEN 'ewma_volume' THEN (z - target) / sd ELSE (target - z) / sd END AS statistic
    FROM charts
    WHERE sd > 0
)
SELECT method || ':department:' || CAST(dept_id AS VARCHAR) AS warning_key,
       method,
       CASE WHEN statistic >= 2 * l THEN 'high' ELSE 'medium' END AS severity,
       'department' AS scope_level,
       CAST(NULL AS INTEGER) AS village_id, CAST(NULL AS INTEGER) AS cell_id, dept_id,
       CAST(NULL AS VARCHAR) AS major_code, CAST(NULL AS INTEGER) AS category_id,
       CAST(NULL AS BIGINT) AS matter_id, CAST(NULL AS VARCHAR) AS address,
       z AS observed, target AS expected, l AS threshold, statistic,
       (SELECT start_day FROM bounds) AS window_start, day AS window_end, day AS detected_on
FROM scored
WHERE statistic > l AND day >= CAST($from_day AS DATE)
ORDER BY detected_on, dept_id, method;
