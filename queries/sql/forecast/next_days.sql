-- Forecast of matters received per day (DOMAIN.md §8) for the horizon_days days from $now's
-- day on, for the township, each 大类 (level 'major') and each village, with prediction
-- intervals and the rolling-origin backtest of the model beside seasonal-naive's.
-- Model (fitted at an origin o on the season_weeks weeks before it, normal days only):
--   seasonal baseline: the mean of the same weekday;
--   trend: the least-squares slope of (count − its weekday mean) over the days, carried
--          forward damped by trend_damping from the fit window's centre;
--   public holidays and 调休 working days: the baseline times the ratio of such days to
--          their weekday's mean over the year before the backtest (township-wide);
--   never below zero.
-- Seasonal naive: the same weekday of the last week before the origin (two weeks back for
-- days 8–14). Backtest: every day of the last backtest_weeks weeks is an origin; each
-- forecasts its horizon, compared with what arrived (complete days only). mae / mape
-- (mean |error| ÷ actual over days with matters) and mase (mae ÷ the in-sample mean
-- |y_t − y_{t−7}| of the 26 weeks before the backtest; 0 when both are 0) for the model and,
-- as naive_*, for seasonal naive. lo80/hi80 and lo95/hi95: the forecast plus the 10/90 and
-- 2.5/97.5 % quantiles of the backtest errors at the same horizon, floored at zero.
-- A series starts on its first day with matters (no zeros before it existed). Scope:
-- matters of the villages in scope; without a village they count for the township.
-- returns: level, series_key, series_name, series_name_en, day, horizon, forecast
-- returns: lo80, hi80, lo95, hi95, seasonal_naive
-- returns: mae, mase, mape, naive_mae, naive_mase, naive_mape, backtest_points
-- params: scope, now, horizon_days, season_weeks, backtest_weeks, trend_damping
WITH bounds AS (
    SELECT CAST($now AS DATE) AS today, CAST($horizon_days AS INTEGER) AS h_max,
           7 * CAST($season_weeks AS INTEGER) AS fit_days, 7 * CAST($backtest_weeks AS INTEGER) AS bt_days,
           CAST($trend_damping AS DOUBLE) AS phi,
           CAST($now AS DATE) - 7 * CAST($backtest_weeks AS INTEGER) AS first_origin
),
calendar AS (
    SELECT w.day, w.kind, w.kind IN ('holiday', 'adjusted_workday') AS special, isodow(w.day) AS dow,
           CAST(w.day - DATE '2000-01-01' AS DOUBLE) AS j
    FROM work_days w, bounds b
    WHERE w.day BETWEEN b.first_origin - greatest(365, b.fit_days + 182) AND b.today + b.h_max
),
daily AS (
    SELECT r.day, r.village_id, r.major_code, sum(r.received) AS n
    FROM indicator_rollup r, bounds b
    WHERE r.day BETWEEN b.first_origin - greatest(365, b.fit_days + 182) AND b.today - 1
      AND list_contains($scope::INTEGER[], r.village_id)
    GROUP BY r.day, r.village_id, r.major_code
),
levels AS (
    SELECT 'township' AS level, 'all' AS series_key, day, sum(n) AS n FROM daily GROUP BY day
    UNION ALL
    SELECT 'major', major_code, day, sum(n) FROM daily WHERE major_code <> '' GROUP BY major_code, day
    UNION ALL
    SELECT 'village', CAST(village_id AS VARCHAR), day, sum(n) FROM daily WHERE village_id <> -1
    GROUP BY village_id, day
),
observed AS (
    SELECT k.level, k.series_key, c.day, c.j, c.dow, c.kind, c.special,
           CAST(coalesce(l.n, 0) AS DOUBLE) AS y
    FROM (SELECT level, series_key, min(day) AS first_day FROM levels GROUP BY level, series_key) k
    CROSS JOIN calendar c
    CROSS JOIN bounds b
    LEFT JOIN levels l ON l.level = k.level AND l.series_key = k.series_key AND l.day = c.day
    WHERE c.day < b.today AND c.day >= k.first_day
),
origins AS (
    SELECT CAST(unnest(generate_series(first_origin, today, INTERVAL 1 DAY)) AS DATE) AS origin FROM bounds
),
fit_days AS (
    SELECT o.origin, s.*
    FROM origins o
    CROSS JOIN bounds b
    JOIN observed s ON s.day >= o.origin - b.fit_days AND s.day < o.origin
    WHERE NOT s.special
),
weekday_means AS (
    SELECT origin, level, series_key, dow, avg(y) AS s_dow
    FROM fit_days
    GROUP BY origin, level, series_key, dow
),
trends AS (
    SELECT f.origin, f.level, f.series_key,
           coalesce(regr_slope(f.y - w.s_dow, f.j), 0) AS slope, avg(f.j) AS j_centre, avg(f.y) AS mean_level
    FROM fit_days f
    JOIN weekday_means w ON w.origin = f.origin AND w.level = f.level AND w.series_key = f.series_key
                        AND w.dow = f.dow
    GROUP BY f.origin, f.level, f.series_key
),
-- Holidays and 调休 days against their weekday's normal mean, township-wide, over the
-- year before the first backtest origin (so the backtest does not see its own future).
special_ratios AS (
    SELECT s.kind, sum(s.y) / nullif(sum(m.mean_y), 0) AS ratio
    FROM observed s
    CROSS JOIN bounds b
    JOIN (SELECT o.dow, avg(o.y) AS mean_y
          FROM observed o, bounds b
          WHERE o.level = 'township' AND NOT o.special
            AND o.day BETWEEN b.first_origin - 365 AND b.first_origin - 1
          GROUP BY o.dow) m ON m.dow = s.dow
    WHERE s.level = 'township' AND s.special AND s.day BETWEEN b.first_origin - 365 AND b.first_origin - 1
    GROUP BY s.kind
),
targets AS (
    SELECT o.origin, c.day, CAST(c.day - o.origin + 1 AS INTEGER) AS horizon, c.j, c.dow, c.kind, c.special
    FROM origins o
    CROSS JOIN bounds b
    JOIN calendar c ON c.day >= o.origin AND c.day < o.origin + b.h_max
),
predictions AS (
    SELECT t.origin, t.day, t.horizon, tr.level, tr.series_key,
           greatest(0, (coalesce(w.s_dow, tr.mean_level) + b.phi * tr.slope * (t.j - tr.j_centre))
                       * CASE WHEN t.special THEN coalesce(r.ratio, 1) ELSE 1 END) AS forecast,
           nv.y AS seasonal_naive
    FROM targets t
    CROSS JOIN bounds b
    JOIN trends tr ON tr.origin = t.origin
    LEFT JOIN weekday_means w ON w.origin = t.origin AND w.level = tr.level AND w.series_key = tr.series_key
                             AND w.dow = t.dow
    LEFT JOIN special_ratios r ON r.kind = t.kind
    LEFT JOIN observed nv ON nv.level = tr.level AND nv.series_key = tr.series_key
                         AND nv.day = t.day - 7 * ((t.horizon + 6) // 7)
),
errors AS (
    SELECT p.level, p.series_key, p.horizon, a.y AS actual,
           a.y - p.forecast AS e, a.y - p.seasonal_naive AS e_naive
    FROM predictions p
    CROSS JOIN bounds b
    JOIN observed a ON a.level = p.level AND a.series_key = p.series_key AND a.day = p.day
    WHERE p.origin < b.today
),
scales AS (
    SELECT level, series_key, avg(abs(y - y7)) AS scale
    FROM (SELECT o.level, o.series_key, o.day, o.y,
                 lag(o.y, 7) OVER (PARTITION BY o.level, o.series_key ORDER BY o.day) AS y7
          FROM observed o) x, bounds b
    WHERE x.day BETWEEN b.first_origin - 182 AND b.first_origin - 1
    GROUP BY level, series_key
),
accuracy AS (
    SELECT e.level, e.series_key, count(*) AS points,
           avg(abs(e.e)) AS mae, avg(abs(e.e_naive)) AS naive_mae,
           avg(abs(e.e) / e.actual) FILTER (WHERE e.actual > 0) AS mape,
           avg(abs(e.e_naive) / e.actual) FILTER (WHERE e.actual > 0) AS naive_mape
    FROM errors e
    GROUP BY e.level, e.series_key
),
bands AS (
    SELECT level, series_key, horizon,
           quantile_cont(e, 0.025) AS q025, quantile_cont(e, 0.10) AS q10,
           quantile_cont(e, 0.90) AS q90, quantile_cont(e, 0.975) AS q975
    FROM errors
    GROUP BY level, series_key, horizon
),
names AS (
    SELECT 'township' AS level, 'all' AS series_key, CAST(NULL AS VARCHAR) AS name, CAST(NULL AS VARCHAR) AS name_en
    UNION ALL
    SELECT 'major', major_code, any_value(major_name), any_value(major_name_en) FROM categories GROUP BY major_code
    UNION ALL
    SELECT 'village', CAST(area_id AS VARCHAR), name, NULL FROM areas WHERE level = 'village'
)
SELECT p.level, p.series_key, n.name AS series_name, n.name_en AS series_name_en, p.day, p.horizon,
       p.forecast,
       greatest(0, p.forecast + coalesce(q.q10, 0)) AS lo80, greatest(0, p.forecast + coalesce(q.q90, 0)) AS hi80,
       greatest(0, p.forecast + coalesce(q.q025, 0)) AS lo95, greatest(0, p.forecast + coalesce(q.q975, 0)) AS hi95,
       p.seasonal_naive,
       a.mae,
       CASE WHEN s.scale > 0 THEN a.mae / s.scale WHEN a.mae = 0 THEN 0.0 END AS mase,
       a.mape,
       a.naive_mae,
       CASE WHEN s.scale > 0 THEN a.naive_mae / s.scale WHEN a.naive_mae = 0 THEN 0.0 END AS naive_mase,
       a.naive_mape,
       coalesce(a.points, 0) AS backtest_points
FROM predictions p
CROSS JOIN bounds b
LEFT JOIN bands q ON q.level = p.level AND q.series_key = p.series_key AND q.horizon = p.horizon
LEFT JOIN accuracy a ON a.level = p.level AND a.series_key = p.series_key
LEFT JOIN scales s ON s.level = p.level AND s.series_key = p.series_key
LEFT JOIN names n ON n.level = p.level AND n.series_key = p.series_key
WHERE p.origin = b.today
ORDER BY CASE p.level WHEN 'township' THEN 0 WHEN 'major' THEN 1 ELSE 2 END, p.series_key, p.day;
