-- The working calendar of a new database (registered by the caller as work_days_df).
-- params: none
INSERT INTO work_days SELECT * FROM work_days_df ORDER BY day;
