-- Whether a matter's clock was ever stopped (缓办): the indicator rollup needs it.
-- params: matter_id
-- returns: stopped
SELECT count(*) > 0 AS stopped FROM events WHERE matter_id = $matter_id AND action = 'suspend';
