-- Rebuild the indicator rollup from the matters (after a bulk load), from the one
-- definition in the view matter_indicator_contributions; compacts any delta rows.
-- params: none
DELETE FROM indicator_rollup;
INSERT INTO indicator_rollup
SELECT day, dept_id, village_id, cell_id, source, category_id, major_code,
       coalesce(sum(received), 0), coalesce(sum(dispatched), 0), coalesce(sum(signed_on_time), 0),
       coalesce(sum(due), 0), coalesce(sum(due_suspended), 0), coalesce(sum(due_suspended_closed), 0),
       coalesce(sum(due_suspended_closed_on_time), 0), coalesce(sum(due_closed), 0),
       coalesce(sum(due_closed_on_time), 0), coalesce(sum(due_handled_on_time), 0),
       coalesce(sum(due_unhandled), 0), coalesce(sum(due_reworked), 0), coalesce(sum(due_extended), 0),
       coalesce(sum(handled), 0), coalesce(sum(handled_with_due), 0), coalesce(sum(handled_on_time), 0),
       coalesce(sum(handling_work_min), 0),
       coalesce(sum(closed), 0), coalesce(sum(closed_with_due), 0), coalesce(sum(closed_on_time), 0),
       coalesce(sum(closed_reworked), 0), coalesce(sum(closed_followed_up), 0),
       coalesce(sum(rated), 0), coalesce(sum(satisfied), 0), coalesce(sum(basic_satisfied), 0),
       coalesce(sum(unsatisfied), 0)
FROM matter_indicator_contributions
GROUP BY day, dept_id, village_id, cell_id, source, category_id, major_code
ORDER BY day;
