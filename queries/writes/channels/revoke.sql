-- A channel's key revoked: its requests are refused from now on.
-- params: channel_id, now
UPDATE intake_channels SET revoked_at = $now WHERE channel_id = $channel_id;
