-- The event history an imported matter gets: the shortest legal path (queries/lifecycle.py
-- TRANSITIONS) from accept to its status, every step at created_at except those of a
-- closed matter from feedback on, which happen at closed_at. The file knows only when a
-- matter was created and closed; the steps between are what the closed loop implies.
-- Written as each status's last step, walked back to accept, so that a path shared by
-- several statuses is written once. One row per (status, step); insert_matters derives the matter's columns from it, and
-- insert_events writes it, so the two always agree.
-- params: none
CREATE OR REPLACE TEMP TABLE import_chain AS
WITH RECURSIVE last_step AS (
    -- Each status's last step on its path: the path is the one to from_status, then this.
    SELECT * FROM (VALUES
        ('registered', 'accept',   NULL,         false),
        ('dispatched', 'dispatch', 'registered', true),
        ('handling',   'sign',     'dispatched', true),
        ('returned',   'return',   'dispatched', true),
        ('escalated',  'escalate', 'registered', false),
        ('suspended',  'suspend',  'handling',   false),
        ('feedback',   'feedback', 'handling',   true),
        ('verified',   'verify',   'feedback',   false),
        ('closed',     'close',    'verified',   false),
        ('voided',     'void',     'registered', false)
    ) AS t(to_status, action, from_status, by_dept)
),
walk AS (
    -- From each status back to accept: back = how many steps before the status's last.
    SELECT to_status AS status, 0 AS back, action, from_status, to_status, by_dept FROM last_step
    UNION ALL
    SELECT w.status, w.back + 1, s.action, s.from_status, s.to_status, s.by_dept
    FROM walk w
    JOIN last_step s ON s.to_status = w.from_status
)
SELECT status,
       CAST(max(back) OVER (PARTITION BY status) - back + 1 AS INTEGER) AS seq,
       action, from_status, to_status,
       status = 'closed' AND bool_or(action = 'feedback') OVER (PARTITION BY status ORDER BY back DESC
                                                               ROWS UNBOUNDED PRECEDING) AS at_close,
       by_dept
FROM walk
ORDER BY status, seq;
CREATE OR REPLACE TEMP TABLE import_chain_shape AS
SELECT status,
       count(*) AS steps,
       bool_or(action = 'dispatch') AS dispatched,
       bool_or(action = 'sign') AS signed,
       bool_or(action = 'return') AS returned,
       bool_or(action = 'escalate') AS escalated,
       bool_or(action = 'suspend') AS suspended,
       bool_or(action = 'void') AS voided,
       bool_or(action = 'feedback') AS fed_back,
       bool_or(action = 'feedback' AND at_close) AS feedback_at_close,
       bool_or(at_close) AS ends_at_close
FROM import_chain
GROUP BY status;
