-- A top-up's regenerated window: the demo matters with ids from from_id on (ids start with
-- the day, yyyymmdd × 100000), and their events.
-- params: from_id
DELETE FROM events WHERE matter_id >= $from_id AND matter_id IN
    (SELECT matter_id FROM matters WHERE origin = 'demo' AND matter_id >= $from_id);
DELETE FROM matters WHERE origin = 'demo' AND matter_id >= $from_id;
