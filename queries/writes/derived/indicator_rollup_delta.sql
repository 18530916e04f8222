-- One net delta row of indicator_rollup for one changed matter (queries/indicator_rollup.py):
-- the write path appends it; readers sum; a rebuild compacts.
-- params: day, dept_id, village_id, cell_id, source, category_id, major_code
-- params: received, dispatched, signed_on_time, due, due_suspended, due_suspended_closed, due_suspended_closed_on_time
-- params: due_closed, due_closed_on_time, due_handled_on_time, due_unhandled, due_reworked, due_extended, handled
-- params: handled_with_due, handled_on_time, handling_work_min, closed, closed_with_due, closed_on_time, closed_reworked
-- params: closed_followed_up, rated, satisfied, basic_satisfied, unsatisfied
INSERT INTO indicator_rollup VALUES (
    $day, $dept_id, $village_id, $cell_id, $source, $category_id, $major_code,
    $received, $dispatched, $signed_on_time, $due, $due_suspended,
    $due_suspended_closed, $due_suspended_closed_on_time, $due_closed, $due_closed_on_time, $due_handled_on_time,
    $due_unhandled, $due_reworked, $due_extended, $handled, $handled_with_due,
    $handled_on_time, $handling_work_min, $closed, $closed_with_due, $closed_on_time,
    $closed_reworked, $closed_followed_up, $rated, $satisfied, $basic_satisfied,
    $unsatisfied);
