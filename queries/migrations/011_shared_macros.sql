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

-- The assessment indicators' facts (DOMAIN.md §7), one definition for indicators/by_group
-- and indicators/department_ranking: the rows of indicator_rollup, plus what is still
-- pending at now_ts (deadline ahead, not finished: due_pending_close, due_pending_feedback,
-- due_suspended_pending on the due day; sign_pending on the dispatch day), which the rules
-- subtract so that a matter with time left counts against no one. Each row has its day;
-- matters without a department / village / cell / category count as -1, without a 大类 as
-- ''. Filtered as the overview is (matches_filters), and by cell_ids (网格) and
-- category_ids (小类), NULL meaning "all".
CREATE OR REPLACE MACRO indicator_facts(scope, villages, sources, majors, depts, cell_ids, category_ids, now_ts) AS TABLE
WITH pending AS (
    SELECT coalesce(o.lead_dept_id, -1) AS dept_id, coalesce(o.village_id, -1) AS village_id,
           coalesce(o.cell_id, -1) AS cell_id, o.source, coalesce(o.category_id, -1) AS category_id,
           coalesce(o.major_code, '') AS major_code, CAST(o.due_at AS DATE) AS day,
           1 AS due_pending_close,
           (o.status IN ('registered', 'dispatched', 'handling', 'suspended', 'returned'))::INTEGER
               AS due_pending_feedback,
           (o.suspended_at IS NOT NULL
            OR EXISTS (SELECT 1 FROM events e WHERE e.matter_id = o.matter_id AND e.action = 'suspend'))::INTEGER
               AS due_suspended_pending
    FROM open_matters o
    WHERE o.due_at > now_ts AND o.status <> 'escalated'
),
sign_pending AS (
    SELECT coalesce(o.lead_dept_id, -1) AS dept_id, coalesce(o.village_id, -1) AS village_id,
           coalesce(o.cell_id, -1) AS cell_id, o.source, coalesce(o.category_id, -1) AS category_id,
           coalesce(o.major_code, '') AS major_code, CAST(m.dispatched_at AS DATE) AS day,
           1 AS sign_pending
    FROM open_matters o
    JOIN matters m ON m.matter_id = o.matter_id
    WHERE o.status = 'dispatched' AND m.sign_due_at > now_ts
),
facts AS (
    SELECT * FROM indicator_rollup
    UNION ALL BY NAME
    SELECT * FROM pending
    UNION ALL BY NAME
    SELECT * FROM sign_pending
)
SELECT *
FROM facts
WHERE matches_filters(scope, villages, sources, majors, depts, village_id, source, major_code, dept_id)
  AND (cell_ids::INTEGER[] IS NULL OR list_contains(cell_ids::INTEGER[], cell_id))
  AND (category_ids::INTEGER[] IS NULL OR list_contains(category_ids::INTEGER[], category_id));

-- The id of the department (ref_kind 'department') or category (ref_kind 'category') an imported
-- name stands for: the one whose code is ref_key, else the one whose name is ref_key (the smallest
-- id when several), NULL when none. imports/new_departments and imports/new_categories
-- match by it, both to find what is new and to give every name its id.
CREATE OR REPLACE MACRO reference_id(ref_kind, ref_key) AS (
    SELECT coalesce(min(ref_id) FILTER (WHERE ref_code = ref_key), min(ref_id) FILTER (WHERE ref_name = ref_key))
    FROM (SELECT dept_id AS ref_id, code AS ref_code, name AS ref_name FROM departments WHERE ref_kind = 'department'
          UNION ALL
          SELECT category_id, code, name FROM categories WHERE ref_kind = 'category')
    WHERE ref_code = ref_key OR ref_name = ref_key
);
