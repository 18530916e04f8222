-- What a backup and its restore must agree on: row counts and an order-free checksum of
-- the event log (every column of every event).
-- params: none
-- returns: matters, events, open_matters, events_checksum
SELECT (SELECT count(*) FROM matters) AS matters,
       (SELECT count(*) FROM events) AS events,
       (SELECT count(*) FROM open_matters) AS open_matters,
       (SELECT coalesce(sum(hash(matter_id, seq, action, actor, occurred_at, from_status, to_status, dept_id,
                                 minutes, value, note)::HUGEINT), 0)::VARCHAR FROM events) AS events_checksum;
