-- The answer given under an Idempotency-Key, kept to answer a repeat the same way.
-- params: key, request_hash, matter_id, response, now
INSERT INTO idempotency_keys VALUES ($key, $request_hash, $matter_id, $response, $now);
