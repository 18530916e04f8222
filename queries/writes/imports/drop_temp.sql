-- The import's working tables, dropped before the transaction commits.
-- params: none
DROP TABLE IF EXISTS import_checked;
DROP TABLE IF EXISTS import_dept_ids;
DROP TABLE IF EXISTS import_category_ids;
DROP TABLE IF EXISTS import_ids;
DROP TABLE IF EXISTS import_accepted;
DROP TABLE IF EXISTS import_chain;
DROP TABLE IF EXISTS import_chain_shape;
