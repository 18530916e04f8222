-- The planted anomalies (what the warnings must find) from the registered demo_truth.
-- params: none
INSERT INTO demo_ground_truth (anomaly_id, kind, first_day, last_day, village_id, cell_id,
                               category_id, major_code, dept_id, address, matters, note)
SELECT anomaly_id, kind, first_day, last_day, village_id, cell_id,
       category_id, major_code, dept_id, address, matters, note
FROM demo_truth;
