-- The anomalies the demo planted (demo databases only), with each category's department,
-- to score the warning methods against.
-- params: none
-- returns: anomaly_id, kind, first_day, last_day, village_id, cell_id, category_id, major_code, dept_id, address, matters, note, category_dept_id
SELECT t.*, k.default_dept_id AS category_dept_id
FROM demo_ground_truth t LEFT JOIN categories k ON k.category_id = t.category_id
ORDER BY t.anomaly_id;
