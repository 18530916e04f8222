-- Add one net change to one row of the daily rollup (negative counts take away).
-- params: day, village_id, dept_id, source, major_code, received, closed, closed_with_due
-- params: closed_on_time, followed_up, satisfied, basic_satisfied, unsatisfied
INSERT INTO daily_rollup VALUES ($day, $village_id, $dept_id, $source, $major_code, $received, $closed,
                                 $closed_with_due, $closed_on_time, $followed_up, $satisfied,
                                 $basic_satisfied, $unsatisfied)
ON CONFLICT DO UPDATE SET
    received = received + excluded.received,
    closed = closed + excluded.closed,
    closed_with_due = closed_with_due + excluded.closed_with_due,
    closed_on_time = closed_on_time + excluded.closed_on_time,
    followed_up = followed_up + excluded.followed_up,
    satisfied = satisfied + excluded.satisfied,
    basic_satisfied = basic_satisfied + excluded.basic_satisfied,
    unsatisfied = unsatisfied + excluded.unsatisfied;
