-- The sub-categories (小类) most received, at most $limit, most first, each with its 大类 and
-- its share of the cohort; category_id -1 (no category yet) has no name.
-- The cohort (every analysis/* query): the matters received from from_day to to_day (whole
-- days), voided ones left out, in scope (no village: -1) and matching every filter, where
-- NULL means "all": villages, cell_ids, sources, majors (大类), category_ids (小类), depts
-- (lead department; -1 = not dispatched) and week_hours, the hours of the week they were
-- received in ((ISO weekday − 1) × 24 + hour, 0 … 167). The period bounds the scan.
-- returns: category_id, code, name, name_en, major_code, major_name, major_name_en, received, share
-- params: scope, villages, cell_ids, sources, majors, category_ids, depts, week_hours
-- params: from_day, to_day, limit
WITH cohort AS (
    SELECT coalesce(m.category_id, -1) AS category_id
    FROM matters m
    WHERE m.created_at >= CAST($from_day AS DATE)
      AND m.created_at < CAST($to_day AS DATE) + INTERVAL 1 DAY
      AND m.voided_at IS NULL
      AND list_contains($scope::INTEGER[], coalesce(m.village_id, -1))
      AND ($villages::INTEGER[] IS NULL OR list_contains($villages::INTEGER[], coalesce(m.village_id, -1)))
      AND ($cell_ids::INTEGER[] IS NULL OR list_contains($cell_ids::INTEGER[], coalesce(m.cell_id, -1)))
      AND ($sources::VARCHAR[] IS NULL OR list_contains($sources::VARCHAR[], m.source))
      AND ($majors::VARCHAR[] IS NULL OR list_contains($majors::VARCHAR[], coalesce(m.major_code, '')))
      AND ($category_ids::INTEGER[] IS NULL OR list_contains($category_ids::INTEGER[], coalesce(m.category_id, -1)))
      AND ($depts::INTEGER[] IS NULL OR list_contains($depts::INTEGER[], coalesce(m.lead_dept_id, -1)))
      AND ($week_hours::INTEGER[] IS NULL
           OR list_contains($week_hours::INTEGER[], (isodow(m.created_at) - 1) * 24 + hour(m.created_at)))
),
counts AS (
    SELECT category_id, count(*) AS received, sum(count(*)) OVER () AS total
    FROM cohort
    GROUP BY category_id
)
SELECT c.category_id, k.code, k.name, k.name_en, k.major_code, k.major_name, k.major_name_en,
       c.received, CAST(c.received AS DOUBLE) / c.total AS share
FROM counts c
LEFT JOIN categories k ON k.category_id = c.category_id
ORDER BY c.received DESC, k.code NULLS LAST
LIMIT $limit;
