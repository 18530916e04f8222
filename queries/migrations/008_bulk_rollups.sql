-- Bulk rebuilds at millions of matters, and the write path's deltas.
--
-- daily_rollup becomes, like indicator_rollup, a table of delta rows without a key: the
-- write path appends a matter's net change, readers sum, a rebuild compacts. Its primary
-- key made a rebuild (delete and re-insert every key in one transaction) take minutes.
CREATE TABLE daily_rollup_deltas (
    day             DATE NOT NULL,
    village_id      INTEGER NOT NULL,
    dept_id         INTEGER NOT NULL,
    source          VARCHAR NOT NULL,
    major_code      VARCHAR NOT NULL,
    received        INTEGER NOT NULL DEFAULT 0,
    closed          INTEGER NOT NULL DEFAULT 0,
    closed_with_due INTEGER NOT NULL DEFAULT 0,
    closed_on_time  INTEGER NOT NULL DEFAULT 0,
    followed_up     INTEGER NOT NULL DEFAULT 0,
    satisfied       INTEGER NOT NULL DEFAULT 0,
    basic_satisfied INTEGER NOT NULL DEFAULT 0,
    unsatisfied     INTEGER NOT NULL DEFAULT 0
);
INSERT INTO daily_rollup_deltas SELECT * FROM daily_rollup ORDER BY day;
DROP TABLE daily_rollup;
ALTER TABLE daily_rollup_deltas RENAME TO daily_rollup;

-- The indicator contributions without a correlated look-up per matter: whether the clock
-- was ever stopped comes from one pass over the suspend events, and the handling time
-- from two joins with the calendar instead of two scalar subqueries per row.
CREATE OR REPLACE VIEW matter_indicator_contributions AS
WITH stopped AS MATERIALIZED (
    SELECT DISTINCT matter_id FROM events WHERE action = 'suspend'
),
m AS MATERIALIZED (
    SELECT t.matter_id, coalesce(t.lead_dept_id, -1) AS dept_id, coalesce(t.village_id, -1) AS village_id,
           coalesce(t.cell_id, -1) AS cell_id, t.source, coalesce(t.category_id, -1) AS category_id,
           coalesce(t.major_code, '') AS major_code,
           t.created_at, t.dispatched_at, t.signed_at, t.sign_due_at, t.feedback_at, t.closed_at,
           t.followed_up_at, t.due_at, t.satisfaction, t.voided_at, t.escalated_at, t.extension_count,
           t.rework_count,
           t.suspended_at IS NOT NULL OR s.matter_id IS NOT NULL AS was_suspended,
           fd.cum_min_before + day_work_min(hour(t.feedback_at) * 60 + minute(t.feedback_at)
                                            + second(t.feedback_at) / 60.0,
                                            fd.am_start, fd.am_end, fd.pm_start, fd.pm_end)
           - (dd.cum_min_before + day_work_min(hour(t.dispatched_at) * 60 + minute(t.dispatched_at)
                                               + second(t.dispatched_at) / 60.0,
                                               dd.am_start, dd.am_end, dd.pm_start, dd.pm_end)) AS handling_w
    FROM matters t
    LEFT JOIN stopped s ON s.matter_id = t.matter_id
    LEFT JOIN work_days fd ON fd.day = CAST(t.feedback_at AS DATE)
    LEFT JOIN work_days dd ON dd.day = CAST(t.dispatched_at AS DATE)
)
SELECT matter_id, CAST(created_at AS DATE) AS day, dept_id, village_id, cell_id, source,
       category_id, major_code, 1 AS received
FROM m
UNION ALL BY NAME
SELECT matter_id, CAST(dispatched_at AS DATE) AS day, dept_id, village_id, cell_id, source,
       category_id, major_code, 1 AS dispatched,
       (signed_at IS NOT NULL AND signed_at <= sign_due_at)::INTEGER AS signed_on_time
FROM m WHERE dispatched_at IS NOT NULL
UNION ALL BY NAME
SELECT matter_id, CAST(due_at AS DATE) AS day, dept_id, village_id, cell_id, source,
       category_id, major_code, 1 AS due,
       was_suspended::INTEGER AS due_suspended,
       (was_suspended AND closed_at IS NOT NULL)::INTEGER AS due_suspended_closed,
       (was_suspended AND closed_at IS NOT NULL AND closed_at <= due_at)::INTEGER AS due_suspended_closed_on_time,
       (closed_at IS NOT NULL)::INTEGER AS due_closed,
       (closed_at IS NOT NULL AND closed_at <= due_at)::INTEGER AS due_closed_on_time,
       (feedback_at IS NOT NULL AND feedback_at <= due_at)::INTEGER AS due_handled_on_time,
       (feedback_at IS NULL OR feedback_at > due_at)::INTEGER AS due_unhandled,
       (rework_count > 0)::INTEGER AS due_reworked,
       (extension_count > 0)::INTEGER AS due_extended
FROM m WHERE due_at IS NOT NULL AND voided_at IS NULL AND escalated_at IS NULL
UNION ALL BY NAME
SELECT matter_id, CAST(feedback_at AS DATE) AS day, dept_id, village_id, cell_id, source,
       category_id, major_code, 1 AS handled,
       (due_at IS NOT NULL)::INTEGER AS handled_with_due,
       (due_at IS NOT NULL AND feedback_at <= due_at)::INTEGER AS handled_on_time,
       CAST(round(greatest(coalesce(handling_w, 0), 0)) AS BIGINT) AS handling_work_min
FROM m WHERE feedback_at IS NOT NULL
UNION ALL BY NAME
SELECT matter_id, CAST(closed_at AS DATE) AS day, dept_id, village_id, cell_id, source,
       category_id, major_code, 1 AS closed,
       (due_at IS NOT NULL)::INTEGER AS closed_with_due,
       (due_at IS NOT NULL AND closed_at <= due_at)::INTEGER AS closed_on_time,
       (rework_count > 0)::INTEGER AS closed_reworked,
       (followed_up_at IS NOT NULL)::INTEGER AS closed_followed_up
FROM m WHERE closed_at IS NOT NULL
UNION ALL BY NAME
SELECT matter_id, CAST(followed_up_at AS DATE) AS day, dept_id, village_id, cell_id, source,
       category_id, major_code,
       (satisfaction IS NOT NULL)::INTEGER AS rated,
       (satisfaction = 'satisfied')::INTEGER AS satisfied,
       (satisfaction = 'basic')::INTEGER AS basic_satisfied,
       (satisfaction = 'unsatisfied')::INTEGER AS unsatisfied
FROM m WHERE followed_up_at IS NOT NULL;;
