-- Rebuild the daily rollup from the matters (after a bulk load), from the one definition
-- in the view matter_contributions.
-- params: none
DELETE FROM daily_rollup;
INSERT INTO daily_rollup
SELECT day, village_id, dept_id, source, major_code, sum(received), sum(closed),
       sum(closed_with_due), sum(closed_on_time), sum(followed_up), sum(satisfied),
       sum(basic_satisfied), sum(unsatisfied)
FROM matter_contributions
GROUP BY ALL
ORDER BY day;
