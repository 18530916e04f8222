-- One chunk of generated matters from the registered demo_matters, whose columns are named
-- after the matters table's; the description is composed from the address, the 小类's name
-- (cat_name) and a detail, and transferred matters get a 12345 ticket number.
-- params: none
INSERT INTO matters BY NAME
SELECT * EXCLUDE (cat_name, detail),
       CASE WHEN source = 'transfer' THEN '12345-' || CAST(matter_id AS VARCHAR) END AS external_ref,
       address || '：' || cat_name || '，' || detail AS description,
       'demo' AS origin
FROM demo_matters;
