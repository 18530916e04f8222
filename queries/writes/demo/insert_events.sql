-- One chunk of generated events (the kept steps of its matters' lifecycles) from the
-- registered demo_events.
-- params: none
INSERT INTO events (matter_id, seq, action, actor, occurred_at, from_status, to_status, dept_id,
                    minutes, value, note)
SELECT matter_id, seq, action, actor, occurred_at, from_status, to_status, dept_id,
       minutes, value, note
FROM demo_events;
