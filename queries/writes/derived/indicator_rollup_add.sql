-- Append some matters' indicator contributions with a sign: the write path takes a
-- matter's contributions away (sign = -1) before changing it and adds them (sign = 1)
-- after, in the same transaction. Readers sum, so delta rows need no key; a rebuild
-- compacts them.
-- params: matter_ids, sign
INSERT INTO indicator_rollup
SELECT day, dept_id, village_id, cell_id, source, category_id, major_code,
       $sign * coalesce(sum(received), 0), $sign * coalesce(sum(dispatched), 0),
       $sign * coalesce(sum(signed_on_time), 0), $sign * coalesce(sum(due), 0),
       $sign * coalesce(sum(due_suspended), 0), $sign * coalesce(sum(due_suspended_closed), 0),
       $sign * coalesce(sum(due_suspended_closed_on_time), 0), $sign * coalesce(sum(due_closed), 0),
       $sign * coalesce(sum(due_closed_on_time), 0), $sign * coalesce(sum(due_handled_on_time), 0),
       $sign * coalesce(sum(due_unhandled), 0), $sign * coalesce(sum(due_reworked), 0),
       $sign * coalesce(sum(due_extended), 0), $sign * coalesce(sum(handled), 0),
       $sign * coalesce(sum(handled_with_due), 0), $sign * coalesce(sum(handled_on_time), 0),
       $sign * coalesce(sum(handling_work_min), 0),
       $sign * coalesce(sum(closed), 0), $sign * coalesce(sum(closed_with_due), 0),
       $sign * coalesce(sum(closed_on_time), 0), $sign * coalesce(sum(closed_reworked), 0),
       $sign * coalesce(sum(closed_followed_up), 0), $sign * coalesce(sum(rated), 0),
       $sign * coalesce(sum(satisfied), 0), $sign * coalesce(sum(basic_satisfied), 0),
       $sign * coalesce(sum(unsatisfied), 0)
FROM matter_indicator_contributions
WHERE list_contains($matter_ids, matter_id)
GROUP BY day, dept_id, village_id, cell_id, source, category_id, major_code;
