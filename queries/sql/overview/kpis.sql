-- The overview's KPI tiles: matters received and closed today, open now, overdue (red)
-- and due soon (yellow) now, and two 30-day rates with their numerator and denominator:
-- on-time closure 按期结案率 = closed_on_time / closed_with_due and satisfaction 满意率 =
-- satisfied / (satisfied + basic + unsatisfied). Reads the daily rollup and the open
-- matters only; any_matters says whether the store holds any matter at all (an empty,
-- freshly set-up township versus filters that match nothing).
-- Scope and filters: a matter without a village / department counts as -1.
-- returns: any_matters, received_today, closed_today, open_count, overdue_count, due_soon_count
-- returns: closed_on_time_30d, closed_with_due_30d, on_time_rate_30d
-- returns: satisfied_30d, rated_30d, satisfaction_rate_30d
-- params: scope, villages, sources, majors, depts, now, yellow_share
WITH rollup AS (
    SELECT *
    FROM overview_rollup_30d($scope, $villages, $sources, $majors, $depts, $now)
),
totals AS (
    SELECT coalesce(sum(received) FILTER (WHERE day = CAST($now AS DATE)), 0) AS received_today,
           coalesce(sum(closed) FILTER (WHERE day = CAST($now AS DATE)), 0) AS closed_today,
           coalesce(sum(closed_on_time), 0) AS closed_on_time_30d,
           coalesce(sum(closed_with_due), 0) AS closed_with_due_30d,
           coalesce(sum(satisfied), 0) AS satisfied_30d,
           coalesce(sum(satisfied + basic_satisfied + unsatisfied), 0) AS rated_30d
    FROM rollup
),
lights AS (
    SELECT count(*) AS open_count,
           count(*) FILTER (WHERE light = 'red') AS overdue_count,
           count(*) FILTER (WHERE light = 'yellow') AS due_soon_count
    FROM overview_open_matters($scope, $villages, $sources, $majors, $depts, $now, $yellow_share)
)
SELECT EXISTS (SELECT 1 FROM matters) AS any_matters,
       CAST(t.received_today AS BIGINT) AS received_today,
       CAST(t.closed_today AS BIGINT) AS closed_today,
       l.open_count, l.overdue_count, l.due_soon_count,
       CAST(t.closed_on_time_30d AS BIGINT) AS closed_on_time_30d,
       CAST(t.closed_with_due_30d AS BIGINT) AS closed_with_due_30d,
       CASE WHEN t.closed_with_due_30d > 0 THEN t.closed_on_time_30d / t.closed_with_due_30d END AS on_time_rate_30d,
       CAST(t.satisfied_30d AS BIGINT) AS satisfied_30d,
       CAST(t.rated_30d AS BIGINT) AS rated_30d,
       CASE WHEN t.rated_30d > 0 THEN t.satisfied_30d / t.rated_30d END AS satisfaction_rate_30d
FROM totals t CROSS JOIN lights l;
