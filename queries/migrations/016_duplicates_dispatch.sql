-- Duplicates and the dispatch suggestion.
-- A matter merged as a duplicate (合并重复件) is voided with a link to its original: the
-- merge event's value and this column, kept by queries.lifecycle.step like every column.
ALTER TABLE matters ADD COLUMN duplicate_of BIGINT;

-- The lead department the center proposes for a 小类, where it differs from the code
-- table's default (categories.default_dept_id, from data/categories.csv): the center edits
-- it (`python -m dashboard dispatch-default set`), the versioned code table stays as issued.
CREATE TABLE dispatch_defaults (
    category_id INTEGER PRIMARY KEY,
    dept_id     INTEGER NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    updated_by  VARCHAR NOT NULL
);

-- The counts report leaves merged duplicates out: one complaint reported twice is one matter.
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
      AND m.duplicate_of IS NULL
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

-- The daily rollup's received count leaves merged duplicates out too (queries.incremental
-- says the same in Python): the live panels count one complaint reported twice once.
CREATE OR REPLACE VIEW matter_contributions AS
SELECT CAST(created_at AS DATE) AS day, coalesce(village_id, -1) AS village_id,
       coalesce(lead_dept_id, -1) AS dept_id, source, coalesce(major_code, '') AS major_code,
       1 AS received, 0 AS closed, 0 AS closed_with_due, 0 AS closed_on_time,
       0 AS followed_up, 0 AS satisfied, 0 AS basic_satisfied, 0 AS unsatisfied, matter_id
FROM matters WHERE duplicate_of IS NULL
UNION ALL
SELECT CAST(closed_at AS DATE), coalesce(village_id, -1), coalesce(lead_dept_id, -1), source,
       coalesce(major_code, ''),
       0, 1, (due_at IS NOT NULL)::INTEGER, (due_at IS NOT NULL AND closed_at <= due_at)::INTEGER,
       0, 0, 0, 0, matter_id
FROM matters WHERE closed_at IS NOT NULL
UNION ALL
SELECT CAST(followed_up_at AS DATE), coalesce(village_id, -1), coalesce(lead_dept_id, -1), source,
       coalesce(major_code, ''),
       0, 0, 0, 0, 1,
       (satisfaction = 'satisfied')::INTEGER, (satisfaction = 'basic')::INTEGER,
       (satisfaction = 'unsatisfied')::INTEGER, matter_id
FROM matters WHERE followed_up_at IS NOT NULL;
