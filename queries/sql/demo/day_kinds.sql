-- The kind of each day (workday, weekend, holiday, adjusted_workday) from from_day to
-- to_day, in day order: the demo's daily volume follows it.
-- returns: day, kind
-- params: from_day, to_day
SELECT day, kind
FROM work_days
WHERE day BETWEEN $from_day AND $to_day
ORDER BY day
