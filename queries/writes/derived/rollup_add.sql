-- Add (sign = 1) or take away (sign = -1) the rollup contributions of one matter: the
-- write path takes a matter's contributions away before changing it and adds them after.
-- The equality on matter_id reaches each scan's zone maps: a point look-up, not a scan.
-- params: matter_id, sign
INSERT INTO daily_rollup
SELECT day, village_id, dept_id, source, major_code,
       $sign * sum(received), $sign * sum(closed), $sign * sum(closed_with_due),
       $sign * sum(closed_on_time), $sign * sum(followed_up), $sign * sum(satisfied),
       $sign * sum(basic_satisfied), $sign * sum(unsatisfied)
FROM matter_contributions
WHERE matter_id = $matter_id
GROUP BY ALL
ON CONFLICT DO UPDATE SET
    received = received + excluded.received,
    closed = closed + excluded.closed,
    closed_with_due = closed_with_due + excluded.closed_with_due,
    closed_on_time = closed_on_time + excluded.closed_on_time,
    followed_up = followed_up + excluded.followed_up,
    satisfied = satisfied + excluded.satisfied,
    basic_satisfied = basic_satisfied + excluded.basic_satisfied,
    unsatisfied = unsatisfied + excluded.unsatisfied;
