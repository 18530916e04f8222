-- Volume anomalies (DOMAIN.md §8) on each day from from_day to $now's day, per cell × 小类
-- and per village, from the daily counts of matters received (voided ones left out):
--   seasonal_z  same weekday over the previous season_weeks weeks: z = (x − mean) / sd,
--               alarm when z > z_threshold;
--   ears_c1     CDC EARS C1: baseline the 7 days before: C1 = (x − mean) / sd > ears_threshold;
--   ears_c2     C2: the same with a 2-day guard (baseline days t−9 … t−3);
--   ears_c3     C3 = Σ over t−2 … t of max(0, C2 − 1), alarm when > ears_c3_threshold on a
--               day itself above its baseline (C2 > 1), so it does not ring on after a burst;
--   poisson     P(X ≥ x | λ) < poisson_alpha, λ = mean of the days of t's kind — working
--               days or days off — among t−30 … t−3 (28 days, guarded): a city's weekend is
--               not its Monday; the tail from the macro poisson_sf (a log-space sum over k).
-- Standard deviations are floored at min_sd and √mean (λ at min_sd²): sparse counts have
-- baselines of zeros. Public holidays and 调休 days are left out of the baselines; a baseline
-- left with too few days (C1, C2: 3; seasonal: 2 weeks; Poisson: 7 days) gives no alarm.
-- Baselines count only days from the first matter in scope on: before it there is no
-- data, not a run of zeros (an export of a few days would otherwise "surge" everywhere).
-- No alarm unless the day's count reaches min_count_cell / min_count_village (for C3 too).
-- The day of $now is partial: its expected values are scaled by the
-- share of a day's matters that arrived by that time of day over the last 28 days (sd by
-- its square root). A day without matters is a zero in every baseline; C3's expected sums
-- the baselines of all three of its days, those without matters included.
-- observed / expected are counts; statistic is z, C1, C2, C3 or the tail probability and
-- threshold its alarm level (poisson alarms below it, the others above). The key names the
-- method and the cell × 小类 or village, not the day: a surge lasting days is one warning.
-- returns: warning_key, method, severity, scope_level, village_id, cell_id, dept_id
-- returns: major_code, category_id, matter_id, address, observed, expected, threshold
-- returns: statistic, window_start, window_end, detected_on
-- params: scope, now, from_day, season_weeks, z_threshold, ears_threshold, ears_c3_threshold
-- params: min_sd, poisson_alpha, min_count_cell, min_count_village
WITH bounds AS (
    SELECT CAST($now AS DATE) AS today, CAST($from_day AS DATE) AS first_day,
           CAST(greatest(7 * $season_weeks, 30) + 2 AS INTEGER) AS history_days,
           (SELECT coalesce(CAST(min(created_at) AS DATE), CAST($now AS DATE)) FROM matters
            WHERE list_contains($scope::INTEGER[], coalesce(village_id, -1))) AS data_start
),
time_of_day AS (
    SELECT coalesce(count(*) FILTER (WHERE CAST(m.created_at AS TIME) <= CAST($now AS TIME))
                    / nullif(count(*), 0), 1.0) AS share
    FROM matters m, bounds b
    WHERE m.created_at >= b.today - 28 AND m.created_at < b.today
),
raw AS (
    SELECT CAST(m.created_at AS DATE) AS day, m.village_id, m.cell_id, m.category_id, m.major_code
    FROM matters m, bounds b
    WHERE m.created_at >= b.first_day - b.history_days AND m.created_at <= $now
      AND m.voided_at IS NULL
      AND list_contains($scope::INTEGER[], coalesce(m.village_id, -1))
),
sparse AS (
    SELECT 'cell' AS scope_level, any_value(village_id) AS village_id, cell_id, category_id,
           any_value(major_code) AS major_code, day, count(*) AS n
    FROM raw
    WHERE cell_id IS NOT NULL AND category_id IS NOT NULL
    GROUP BY cell_id, category_id, day
    UNION ALL
    SELECT 'village', village_id, NULL, NULL, NULL, day, count(*)
    FROM raw
    WHERE village_id IS NOT NULL
    GROUP BY village_id, day
),
-- Every day from two days before first_day to today, for each series with matters in that
-- span, zeros included: C3 sums three days' baselines, and a day without matters has one.
recent_series AS (
    SELECT DISTINCT s.scope_level, s.village_id, s.cell_id, s.category_id, s.major_code
    FROM sparse s, bounds b
    WHERE s.day >= b.first_day - 2
),
counts AS (
    SELECT sparse.* FROM sparse, bounds b WHERE sparse.day < b.first_day - 2
    UNION ALL BY NAME
    SELECT r.*, d.day, coalesce(s.n, 0) AS n
    FROM recent_series r
    CROSS JOIN (SELECT w.day FROM work_days w, bounds b WHERE w.day BETWEEN b.first_day - 2 AND b.today) d
    LEFT JOIN sparse s ON s.scope_level = r.scope_level AND s.day = d.day
                      AND s.village_id IS NOT DISTINCT FROM r.village_id
                      AND s.cell_id IS NOT DISTINCT FROM r.cell_id
                      AND s.category_id IS NOT DISTINCT FROM r.category_id
),
-- Public holidays and 调休 working days stay out of every baseline (their volume is not a
-- normal day's); each baseline divides by the normal days its window holds.
calendar AS (
    SELECT day, special, is_workday,
           count(*) FILTER (WHERE normal) OVER (ORDER BY day ROWS BETWEEN 7 PRECEDING AND 1 PRECEDING) AS c1_days,
           count(*) FILTER (WHERE normal) OVER (ORDER BY day ROWS BETWEEN 9 PRECEDING AND 3 PRECEDING) AS c2_days,
           count(*) FILTER (WHERE normal)
               OVER (PARTITION BY is_workday ORDER BY day
                     RANGE BETWEEN INTERVAL 30 DAY PRECEDING AND INTERVAL 3 DAY PRECEDING) AS po_days,
           count(*) FILTER (WHERE normal)
               OVER (PARTITION BY isodow(day) ORDER BY day
                     ROWS BETWEEN $season_weeks PRECEDING AND 1 PRECEDING) AS se_days
    FROM (SELECT w.day, w.is_workday, w.kind IN ('holiday', 'adjusted_workday') AS special,
                 w.kind NOT IN ('holiday', 'adjusted_workday') AND w.day >= b.data_start AS normal
          FROM work_days w, bounds b
          WHERE w.day BETWEEN b.first_day - b.history_days - 14 AND b.today)
),
windows AS (
    SELECT c.*, k.special, k.is_workday, k.c1_days, k.c2_days, k.po_days, k.se_days,
           sum(c.base) OVER c1 AS c1_s, sum(c.base * c.base) OVER c1 AS c1_q,
           sum(c.base) OVER c2 AS c2_s, sum(c.base * c.base) OVER c2 AS c2_q,
           sum(c.base) OVER season AS se_s, sum(c.base * c.base) OVER season AS se_q,
           sum(c.base) OVER pois AS po_s
    FROM (SELECT counts.*, CASE WHEN k.special THEN 0 ELSE n END AS base
          FROM counts JOIN calendar k ON k.day = counts.day) c
    JOIN calendar k ON k.day = c.day
    WINDOW c1 AS (PARTITION BY c.scope_level, c.village_id, c.cell_id, c.category_id ORDER BY c.day
                  RANGE BETWEEN INTERVAL 7 DAY PRECEDING AND INTERVAL 1 DAY PRECEDING),
           c2 AS (PARTITION BY c.scope_level, c.village_id, c.cell_id, c.category_id ORDER BY c.day
                  RANGE BETWEEN INTERVAL 9 DAY PRECEDING AND INTERVAL 3 DAY PRECEDING),
           season AS (PARTITION BY c.scope_level, c.village_id, c.cell_id, c.category_id, isodow(c.day)
                      ORDER BY c.day
                      RANGE BETWEEN (7 * $season_weeks) * INTERVAL 1 DAY PRECEDING
                                AND INTERVAL 7 DAY PRECEDING),
           pois AS (PARTITION BY c.scope_level, c.village_id, c.cell_id, c.category_id, k.is_workday ORDER BY c.day
                    RANGE BETWEEN INTERVAL 30 DAY PRECEDING AND INTERVAL 3 DAY PRECEDING)
),
-- Mean and standard deviation of a baseline from its sum s and sum of squares q over d
-- normal days; the deviation is floored at min_sd and at √mean (no count varies less than
-- a Poisson one).
baselines AS (
    SELECT w.*, b.first_day,
           CASE WHEN w.day = b.today THEN t.share ELSE 1.0 END AS f,
           CASE WHEN c1_days >= 3 THEN coalesce(c1_s, 0) / c1_days END AS c1_mean,
           CASE WHEN c2_days >= 3 THEN coalesce(c2_s, 0) / c2_days END AS c2_mean,
           CASE WHEN se_days >= 2 THEN coalesce(se_s, 0) / se_days END AS se_mean,
           CASE WHEN po_days >= 7 THEN greatest(coalesce(po_s, 0) / po_days, $min_sd * $min_sd) END AS po_mean,
           sqrt(greatest((coalesce(c1_q, 0) - coalesce(c1_s, 0) ^ 2 / greatest(c1_days, 1))
                         / greatest(c1_days - 1, 1), 0)) AS c1_sd_raw,
           sqrt(greatest((coalesce(c2_q, 0) - coalesce(c2_s, 0) ^ 2 / greatest(c2_days, 1))
                         / greatest(c2_days - 1, 1), 0)) AS c2_sd_raw,
           sqrt(greatest((coalesce(se_q, 0) - coalesce(se_s, 0) ^ 2 / greatest(se_days, 1))
                         / greatest(se_days - 1, 1), 0)) AS se_sd_raw,
           CASE w.scope_level WHEN 'cell' THEN $min_count_cell ELSE $min_count_village END AS min_count
    FROM windows w, bounds b, time_of_day t
),
floored AS (
    SELECT *,
           greatest(c1_sd_raw, sqrt(c1_mean), $min_sd) AS c1_sd,
           greatest(c2_sd_raw, sqrt(c2_mean), $min_sd) AS c2_sd,
           greatest(se_sd_raw, sqrt(se_mean), $min_sd) AS se_sd
    FROM baselines
),
c_values AS (
    SELECT *,
           (n - f * c1_mean) / (sqrt(f) * c1_sd) AS c1,
           (n - f * c2_mean) / (sqrt(f) * c2_sd) AS c2,
           (n - f * se_mean) / (sqrt(f) * se_sd) AS z
    FROM floored
),
c3_values AS (
    SELECT *,
           sum(greatest(0, c2 - 1)) OVER last3 AS c3,
           sum(n) OVER last3 AS n3,
           sum(f * c2_mean) OVER last3 AS expected3
    FROM c_values
    WINDOW last3 AS (PARTITION BY scope_level, village_id, cell_id, category_id ORDER BY day
                     RANGE BETWEEN INTERVAL 2 DAY PRECEDING AND CURRENT ROW)
),
candidates AS (
    SELECT * FROM c3_values WHERE day >= first_day AND n >= min_count
),
alarms AS (
    SELECT *, 'seasonal_z' AS method, CAST(n AS DOUBLE) AS observed, f * se_mean AS expected,
           CAST($z_threshold AS DOUBLE) AS threshold, z AS statistic, day AS window_start,
           z >= 2 * $z_threshold AS severe
    FROM candidates WHERE n >= min_count AND z > $z_threshold
    UNION ALL
    SELECT *, 'ears_c1', n, f * c1_mean, $ears_threshold, c1, day, c1 >= 2 * $ears_threshold
    FROM candidates WHERE n >= min_count AND c1 > $ears_threshold
    UNION ALL
    SELECT *, 'ears_c2', n, f * c2_mean, $ears_threshold, c2, day, c2 >= 2 * $ears_threshold
    FROM candidates WHERE n >= min_count AND c2 > $ears_threshold
    UNION ALL
    SELECT *, 'ears_c3', n3, expected3, $ears_c3_threshold, c3, CAST(day - 2 AS DATE),
           c3 >= 2 * $ears_c3_threshold
    FROM candidates WHERE n >= min_count AND c3 > $ears_c3_threshold AND c2 > 1
),
poisson AS (
    SELECT *, 'poisson' AS method, CAST(n AS DOUBLE) AS observed, f * po_mean AS expected,
           CAST($poisson_alpha AS DOUBLE) AS threshold, poisson_sf(n, f * po_mean) AS statistic,
           day AS window_start
    FROM candidates WHERE n >= min_count AND po_mean IS NOT NULL   -- too few baseline days: no λ, no alarm
)
SELECT method || ':' || scope_level || ':'
           || CASE scope_level WHEN 'cell' THEN CAST(cell_id AS VARCHAR) || ':' || CAST(category_id AS VARCHAR)
                               ELSE CAST(village_id AS VARCHAR) END AS warning_key,
       method,
       CASE WHEN severe THEN 'high' ELSE 'medium' END AS severity,
       scope_level, village_id, cell_id, CAST(NULL AS INTEGER) AS dept_id, major_code, category_id,
       CAST(NULL AS BIGINT) AS matter_id, CAST(NULL AS VARCHAR) AS address,
       observed, expected, threshold, statistic, window_start, day AS window_end, day AS detected_on
FROM (SELECT * EXCLUDE (severe), severe FROM alarms
      UNION ALL BY NAME
      SELECT *, statistic < $poisson_alpha / 100 AS severe FROM poisson WHERE statistic < $poisson_alpha)
ORDER BY detected_on, scope_level, village_id, cell_id, category_id, method;
