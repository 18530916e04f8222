-- Analysis and warnings (分析研判, 预测预警; DOMAIN.md §7–§8): the indicator rollup, the
-- cell adjacency the hot-spot statistic needs, persisted warnings with their event log,
-- a Poisson tail in SQL, and the demo's planted anomalies (ground truth for tests).

-- Numerator and denominator counts of the assessment indicators (考核评价), one row per
-- day × lead department × village × cell × source × 小类 (-1 / '' stand for "none").
-- Each count is dated by the moment that puts a matter into it:
--   received                                   created_at    受理数
--   dispatched, signed_on_time                 dispatched_at 派单数, 按时签收数
--   due, due_*                                 due_at        应结案数 = 应处置数 and what became of them
--   handled, handled_with_due, handled_on_time,
--   handling_work_min                          feedback_at   处置数, working minutes dispatch → feedback
--   closed, closed_with_due, closed_on_time,
--   closed_reworked, closed_followed_up        closed_at     结案数/办结数, …, 已回访数
--   rated, satisfied, basic_satisfied,
--   unsatisfied                                followed_up_at 参评数 and the answers
-- The write path may append delta rows (a matter's contributions with sign -1 before a
-- change and +1 after): there is no key, and every reader sums. A rebuild compacts.
CREATE TABLE indicator_rollup (
    day                 DATE NOT NULL,
    dept_id             INTEGER NOT NULL,
    village_id          INTEGER NOT NULL,
    cell_id             INTEGER NOT NULL,
    source              VARCHAR NOT NULL,
    category_id         INTEGER NOT NULL,
    major_code          VARCHAR NOT NULL,
    received            INTEGER NOT NULL,
    dispatched          INTEGER NOT NULL,
    signed_on_time      INTEGER NOT NULL,
    due                 INTEGER NOT NULL,
    due_suspended       INTEGER NOT NULL,   -- 缓办数: the clock was stopped at some time
    due_suspended_closed INTEGER NOT NULL,  -- … and closed: 缓办 leaves both sides of 结案率
    due_suspended_closed_on_time INTEGER NOT NULL,
    due_closed          INTEGER NOT NULL,
    due_closed_on_time  INTEGER NOT NULL,
    due_handled_on_time INTEGER NOT NULL,   -- 按期处置数: feedback by the deadline
    due_unhandled       INTEGER NOT NULL,   -- no feedback by the deadline (超期未处置 once it passed)
    due_reworked        INTEGER NOT NULL,   -- 返工数
    due_extended        INTEGER NOT NULL,   -- 延期数
    handled             INTEGER NOT NULL,
    handled_with_due    INTEGER NOT NULL,
    handled_on_time     INTEGER NOT NULL,
    handling_work_min   BIGINT NOT NULL,
    closed              INTEGER NOT NULL,
    closed_with_due     INTEGER NOT NULL,
    closed_on_time      INTEGER NOT NULL,
    closed_reworked     INTEGER NOT NULL,
    closed_followed_up  INTEGER NOT NULL,
    rated               INTEGER NOT NULL,
    satisfied           INTEGER NOT NULL,
    basic_satisfied     INTEGER NOT NULL,
    unsatisfied         INTEGER NOT NULL
);

-- What each matter contributes to indicator_rollup: the one definition the rebuild and
-- the write path's deltas share. Voided matters count as received only; matters
-- escalated to the higher-level center (上报) leave the township's deadline cohorts.
CREATE VIEW matter_indicator_contributions AS
WITH m AS (
    SELECT matter_id, coalesce(lead_dept_id, -1) AS dept_id, coalesce(village_id, -1) AS village_id,
           coalesce(cell_id, -1) AS cell_id, source, coalesce(category_id, -1) AS category_id,
           coalesce(major_code, '') AS major_code,
           created_at, dispatched_at, signed_at, sign_due_at, feedback_at, closed_at, followed_up_at,
           due_at, satisfaction, voided_at, escalated_at, extension_count, rework_count,
           suspended_at IS NOT NULL
               OR EXISTS (SELECT 1 FROM events e WHERE e.matter_id = matters.matter_id
                                                   AND e.action = 'suspend') AS was_suspended
    FROM matters
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
       CAST(round(greatest(coalesce(work_min_at(feedback_at) - work_min_at(dispatched_at), 0), 0)) AS BIGINT)
           AS handling_work_min
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
FROM m WHERE followed_up_at IS NOT NULL;

-- Queen contiguity of the grid cells (both directions, no self pairs), computed once from
-- the geometry by layers/adjacency.py when a grid is written (layers/adjacency_store.py).
CREATE TABLE cell_adjacency (
    cell_id     INTEGER NOT NULL,
    neighbor_id INTEGER NOT NULL,
    PRIMARY KEY (cell_id, neighbor_id)
);

-- Active and past warnings, one row per stable key (method + what it concerns), kept by
-- queries/warnings.py refresh_warnings: a warning seen again updates last_seen and its
-- figures; one no longer seen gets resolved_at; one seen again after that is raised anew.
CREATE TABLE warnings (
    warning_key     VARCHAR PRIMARY KEY,
    method          VARCHAR NOT NULL,
    severity        VARCHAR NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    scope_level     VARCHAR NOT NULL,   -- matter, cell, address, village, department
    village_id      INTEGER,
    cell_id         INTEGER,
    dept_id         INTEGER,
    major_code      VARCHAR,
    category_id     INTEGER,
    matter_id       BIGINT,
    address         VARCHAR,
    observed        DOUBLE,
    expected        DOUBLE,
    threshold       DOUBLE,
    statistic       DOUBLE,
    window_start    DATE,
    window_end      DATE,
    first_seen      TIMESTAMP NOT NULL,
    last_seen       TIMESTAMP NOT NULL,
    resolved_at     TIMESTAMP,
    acknowledged_by VARCHAR,
    acknowledged_at TIMESTAMP
);

-- The log of what happened to warnings: raised, resolved, acknowledged (who, when, note).
CREATE TABLE warning_events (
    warning_key VARCHAR NOT NULL,
    action      VARCHAR NOT NULL CHECK (action IN ('raised', 'resolved', 'acknowledged')),
    actor       VARCHAR,
    occurred_at TIMESTAMP NOT NULL,
    note        VARCHAR
);

-- The anomalies the demo generator planted, for tests and demonstrations.
CREATE TABLE demo_ground_truth (
    anomaly_id   INTEGER PRIMARY KEY,
    kind         VARCHAR NOT NULL CHECK (kind IN ('surge', 'drift', 'repeat')),
    first_day    DATE NOT NULL,
    last_day     DATE NOT NULL,
    village_id   INTEGER,
    cell_id      INTEGER,
    category_id  INTEGER,
    major_code   VARCHAR,
    dept_id      INTEGER,
    address      VARCHAR,
    matters      INTEGER,      -- matters added (surge, repeat)
    note         VARCHAR
);

-- P(X ≥ x) for X ~ Poisson(lam). DuckDB has no Poisson CDF, so the terms
-- exp(k·ln lam − lam − lgamma(k+1)) are summed in log space: for x above the mean the upper
-- tail is summed directly from k = x (it stays exact when tiny; terms beyond x + 40 + 12·√lam
-- are below 1e-30 of the first), otherwise one minus the short lower sum k < x.
CREATE MACRO poisson_sf(x, lam) AS (
    CASE
        WHEN x <= 0 THEN 1.0
        WHEN lam <= 0 THEN 0.0
        WHEN x > lam THEN (
            SELECT sum(exp(k * ln(lam) - lam - lgamma(k + 1)))
            FROM range(CAST(x AS BIGINT), CAST(x AS BIGINT) + 40 + CAST(ceil(12 * sqrt(lam)) AS BIGINT)) r(k))
        ELSE greatest(0.0, 1.0 - (
            SELECT sum(exp(k * ln(lam) - lam - lgamma(k + 1)))
            FROM range(0, CAST(x AS BIGINT)) r(k)))
    END
);
