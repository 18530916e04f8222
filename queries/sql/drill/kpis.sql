-- The KPI tiles of a part of the township, the same columns as overview/kpis: matters
-- received and closed today, open now, overdue (red) and due soon (yellow) now, on-time
-- closure 按期结案率 = closed_on_time / closed_with_due and satisfaction 满意率 = satisfied /
-- rated over the 30 days up to today. Counts come from the indicator rollup (it keeps the
-- cell, the daily rollup does not) and the open matters. Scope and filters: in scope, in
-- $villages and in $cell_ids (NULL: all); a matter without a village / cell counts as -1.
-- returns: any_matters, received_today, closed_today, open_count, overdue_count, due_soon_count
-- returns: closed_on_time_30d, closed_with_due_30d, on_time_rate_30d
-- returns: satisfied_30d, rated_30d, satisfaction_rate_30d
-- params: scope, villages, cell_ids, now, yellow_share
WITH rollup AS (
    SELECT *
    FROM indicator_rollup
    WHERE day BETWEEN CAST($now AS DATE) - 29 AND CAST($now AS DATE)
      AND list_contains($scope::INTEGER[], village_id)
      AND ($villages::INTEGER[] IS NULL OR list_contains($villages::INTEGER[], village_id))
      AND ($cell_ids::INTEGER[] IS NULL OR list_contains($cell_ids::INTEGER[], cell_id))
),
totals AS (
    SELECT coalesce(sum(received) FILTER (WHERE day = CAST($now AS DATE)), 0) AS received_today,
           coalesce(sum(closed) FILTER (WHERE day = CAST($now AS DATE)), 0) AS closed_today,
           coalesce(sum(closed_on_time), 0) AS closed_on_time_30d,
           coalesce(sum(closed_with_due), 0) AS closed_with_due_30d,
           coalesce(sum(satisfied), 0) AS satisfied_30d,
           coalesce(sum(rated), 0) AS rated_30d
    FROM rollup
),
lights AS (
    SELECT count(*) AS open_count,
           count(*) FILTER (WHERE light = 'red') AS overdue_count,
           count(*) FILTER (WHERE light = 'yellow') AS due_soon_count
    FROM open_matter_lights($now, $yellow_share)
    WHERE list_contains($scope::INTEGER[], coalesce(village_id, -1))
      AND ($villages::INTEGER[] IS NULL OR list_contains($villages::INTEGER[], coalesce(village_id, -1)))
      AND ($cell_ids::INTEGER[] IS NULL OR list_contains($cell_ids::INTEGER[], coalesce(cell_id, -1)))
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
