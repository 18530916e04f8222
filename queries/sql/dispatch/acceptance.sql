-- How often the dispatch suggestion was taken, over dispatches from $from_day to $to_day
-- (both included) of the matters in scope: offered = dispatches for which a department was
-- proposed (the event's value says taken or declined), taken = those sent to the proposed
-- department; dispatches = every dispatch then (those before the suggestion have no value).
-- returns: taken, offered, dispatches
-- params: scope, from_day, to_day
SELECT count(*) FILTER (WHERE e.value = 'suggestion_taken') AS taken,
       count(*) FILTER (WHERE e.value IN ('suggestion_taken', 'suggestion_declined')) AS offered,
       count(*) AS dispatches
FROM events e
JOIN matters m ON m.matter_id = e.matter_id
WHERE e.action = 'dispatch'
  AND e.occurred_at >= CAST($from_day AS DATE)
  AND e.occurred_at < CAST($to_day AS DATE) + INTERVAL 1 DAY
  AND list_contains($scope::INTEGER[], coalesce(m.village_id, -1));
