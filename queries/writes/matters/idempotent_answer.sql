-- The first answer given under an Idempotency-Key, and the hash of its request.
-- params: key
-- returns: request_hash, response
SELECT request_hash, response FROM idempotency_keys WHERE key = $key;
