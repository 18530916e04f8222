-- What several query files share, defined once (SQL is code: a rule that exists once).
-- CREATE OR REPLACE, so that a later migration restating one of them reads the same way.

-- The counts report over the half-open period [period_start, period_end), for the matters
-- in scope (a matter without a village counts as village -1), per group: group_by is
-- 'cell' (the cell's code, '' without one), 'department' (the lead department's name, ''
-- when not dispatched) or anything else for one group '' (the township). received =
-- created in the period; closed = closed in the period; closed_with_due = those of them
-- with a due time; closed_on_time = those closed at or before it; open_at_end = created
-- before the end and not closed (nor voided) before it; overdue_at_end = those of them with
-- a due time before the end. Groups with every count zero are left out.
CREATE OR REPLACE MACRO report_counts(scope, period_start, period_end, group_by) AS TABLE
WITH flags AS (
    SELECT CASE group_by
               WHEN 'cell' THEN coalesce(c.code, '')
               WHEN 'department' THEN coalesce(d.name, '')
               ELSE '' END AS group_key,
           m.created_at >= period_start AND m.created_at < period_end AS received,
           coalesce(m.closed_at >= period_start AND m.closed_at < period_end, false) AS closed,
           m.due_at,
           m.closed_at,
           m.created_at < period_end
               AND (m.closed_at IS NULL OR m.closed_at >= period_end)
               AND (m.voided_at IS NULL OR m.voided_at >= period_end) AS open_at_end
    FROM matters m
    LEFT JOIN areas c ON c.area_id = m.cell_id AND c.level = 'cell'
    LEFT JOIN departments d ON d.dept_id = m.lead_dept_id
    WHERE list_contains(scope::INTEGER[], coalesce(m.village_id, -1))
)
SELECT group_key,
       count(*) FILTER (WHERE received) AS received_count,
       count(*) FILTER (WHERE closed) AS closed_count,
       count(*) FILTER (WHERE closed AND due_at IS NOT NULL) AS closed_with_due_count,
       count(*) FILTER (WHERE closed AND closed_at <= due_at) AS closed_on_time_count,
       count(*) FILTER (WHERE open_at_end) AS open_at_end_count,
       count(*) FILTER (WHERE open_at_end AND due_at < period_end) AS overdue_at_end_count
FROM flags
WHERE received OR closed OR open_at_end
GROUP BY group_key;

-- The overview's filters, one definition: in scope (scope lists the villages a viewer may
-- see) and matching every filter, where NULL means "all": villages, sources, majors (大类)
-- and depts (lead department). The caller passes the row's village, source, major and
-- department, with -1 / '' for what a matter lacks.
CREATE OR REPLACE MACRO matches_filters(scope, villages, sources, majors, depts, village, src, major, dept) AS
    list_contains(scope::INTEGER[], village)
    AND (villages::INTEGER[] IS NULL OR list_contains(villages::INTEGER[], village))
    AND (sources::VARCHAR[] IS NULL OR list_contains(sources::VARCHAR[], src))
    AND (majors::VARCHAR[] IS NULL OR list_contains(majors::VARCHAR[], major))
    AND (depts::INTEGER[] IS NULL OR list_contains(depts::INTEGER[], dept));

-- The open matters with their light at now_ts (open_matter_lights), filtered as the
-- overview is: every queries/sql/overview/*.sql that reads open matters reads them here.
CREATE OR REPLACE MACRO overview_open_matters(scope, villages, sources, majors, depts, now_ts, yellow_share) AS TABLE
SELECT *
FROM open_matter_lights(now_ts, yellow_share)
WHERE matches_filters(scope, villages, sources, majors, depts,
                      coalesce(village_id, -1), source, coalesce(major_code, ''), coalesce(lead_dept_id, -1));

-- The daily rollup's rows of the 30 days up to now_ts's day (both included), filtered as
-- the overview is (the rollup already keeps -1 / '' for what a matter lacks).
CREATE OR REPLACE MACRO overview_rollup_30d(scope, villages, sources, majors, depts, now_ts) AS TABLE
SELECT *
FROM daily_rollup
WHERE day BETWEEN CAST(now_ts AS DATE) - 29 AND CAST(now_ts AS DATE)
  AND matches_filters(scope, villages, sources, majors, depts, village_id, source, major_code, dept_id);
