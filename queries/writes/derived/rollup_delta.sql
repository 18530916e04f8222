-- Append one net change of one matter to the daily rollup (negative counts take away);
-- readers sum, a rebuild compacts.
-- params: day, village_id, dept_id, source, major_code, received, closed, closed_with_due
-- params: closed_on_time, followed_up, satisfied, basic_satisfied, unsatisfied
INSERT INTO daily_rollup VALUES ($day, $village_id, $dept_id, $source, $major_code, $received, $closed,
                                 $closed_with_due, $closed_on_time, $followed_up, $satisfied,
                                 $basic_satisfied, $unsatisfied);
