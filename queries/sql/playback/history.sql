-- How much history the event log holds: its latest event and the number of events (the
-- playback benchmark picks its instants back from the latest).
-- returns: latest, events
-- params: none
SELECT max(occurred_at) AS latest, count(*) AS events FROM events;
