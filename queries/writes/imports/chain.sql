-- The event history an imported matter gets: the shortest legal path (queries/lifecycle.py
-- TRANSITIONS) from accept to its status, every step at created_at except those of a
-- closed matter from feedback on, which happen at closed_at. The file knows only when a
-- matter was created and closed; the steps between are what the closed loop implies.
-- One row per (status, step); insert_matters derives the matter's columns from it, and
-- insert_events writes it, so the two always agree.
-- params: none
CREATE OR REPLACE TEMP TABLE import_chain AS
SELECT * FROM (VALUES
    ('registered', 1, 'accept',   NULL,         'registered', false, false),
    ('dispatched', 1, 'accept',   NULL,         'registered', false, false),
    ('dispatched', 2, 'dispatch', 'registered', 'dispatched', false, true),
    ('handling',   1, 'accept',   NULL,         'registered', false, false),
    ('handling',   2, 'dispatch', 'registered', 'dispatched', false, true),
    ('handling',   3, 'sign',     'dispatched', 'handling',   false, true),
    ('returned',   1, 'accept',   NULL,         'registered', false, false),
    ('returned',   2, 'dispatch', 'registered', 'dispatched', false, true),
    ('returned',   3, 'return',   'dispatched', 'returned',   false, true),
    ('escalated',  1, 'accept',   NULL,         'registered', false, false),
    ('escalated',  2, 'escalate', 'registered', 'escalated',  false, false),
    ('suspended',  1, 'accept',   NULL,         'registered', false, false),
    ('suspended',  2, 'dispatch', 'registered', 'dispatched', false, true),
    ('suspended',  3, 'sign',     'dispatched', 'handling',   false, true),
    ('suspended',  4, 'suspend',  'handling',   'suspended',  false, false),
    ('feedback',   1, 'accept',   NULL,         'registered', false, false),
    ('feedback',   2, 'dispatch', 'registered', 'dispatched', false, true),
    ('feedback',   3, 'sign',     'dispatched', 'handling',   false, true),
    ('feedback',   4, 'feedback', 'handling',   'feedback',   false, true),
    ('verified',   1, 'accept',   NULL,         'registered', false, false),
    ('verified',   2, 'dispatch', 'registered', 'dispatched', false, true),
    ('verified',   3, 'sign',     'dispatched', 'handling',   false, true),
    ('verified',   4, 'feedback', 'handling',   'feedback',   false, true),
    ('verified',   5, 'verify',   'feedback',   'verified',   false, false),
    ('closed',     1, 'accept',   NULL,         'registered', false, false),
    ('closed',     2, 'dispatch', 'registered', 'dispatched', false, true),
    ('closed',     3, 'sign',     'dispatched', 'handling',   false, true),
    ('closed',     4, 'feedback', 'handling',   'feedback',   true,  true),
    ('closed',     5, 'verify',   'feedback',   'verified',   true,  false),
    ('closed',     6, 'close',    'verified',   'closed',     true,  false),
    ('voided',     1, 'accept',   NULL,         'registered', false, false),
    ('voided',     2, 'void',     'registered', 'voided',     false, false)
) AS t(status, seq, action, from_status, to_status, at_close, by_dept);
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
