-- A new intake channel (an Open311 client) with the hash of its api_key.
-- params: channel_id, name, source, key_hash, now
INSERT INTO intake_channels VALUES ($channel_id, $name, $source, $key_hash, $now, NULL);
