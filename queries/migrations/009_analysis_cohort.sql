-- The analysis pages' cohort, one definition for every queries/sql/analysis/*.sql: the
-- matters received from from_day to to_day (whole days), voided ones left out, in scope
-- (no village: -1) and matching every filter, where NULL means "all": villages, cell_ids,
-- sources, majors (大类), category_ids (小类), depts (lead department; -1 = not dispatched)
-- and week_hours ((ISO weekday − 1) × 24 + hour received, 0 … 167). The period bounds the scan.
CREATE MACRO analysis_cohort(scope, villages, cell_ids, sources, majors, category_ids, depts, week_hours,
                             from_day, to_day) AS TABLE
SELECT m.*
FROM matters m
WHERE m.created_at >= CAST(from_day AS DATE)
  AND m.created_at < CAST(to_day AS DATE) + INTERVAL 1 DAY
  AND m.voided_at IS NULL
  AND list_contains(scope::INTEGER[], coalesce(m.village_id, -1))
  AND (villages::INTEGER[] IS NULL OR list_contains(villages::INTEGER[], coalesce(m.village_id, -1)))
  AND (cell_ids::INTEGER[] IS NULL OR list_contains(cell_ids::INTEGER[], coalesce(m.cell_id, -1)))
  AND (sources::VARCHAR[] IS NULL OR list_contains(sources::VARCHAR[], m.source))
  AND (majors::VARCHAR[] IS NULL OR list_contains(majors::VARCHAR[], coalesce(m.major_code, '')))
  AND (category_ids::INTEGER[] IS NULL OR list_contains(category_ids::INTEGER[], coalesce(m.category_id, -1)))
  AND (depts::INTEGER[] IS NULL OR list_contains(depts::INTEGER[], coalesce(m.lead_dept_id, -1)))
  AND (week_hours::INTEGER[] IS NULL
       OR list_contains(week_hours::INTEGER[], (isodow(m.created_at) - 1) * 24 + hour(m.created_at)));
