-- A channel by its name, and the id the next new channel gets.
-- params: name
-- returns: channel_id, revoked_at, next_id
SELECT c.channel_id, c.revoked_at, n.next_id
FROM (SELECT coalesce(max(channel_id), 0) + 1 AS next_id FROM intake_channels) n
LEFT JOIN intake_channels c ON c.name = $name;
