-- The current-state table carries the text the live table shows, so a refresh never
-- joins the whole history for a few hundred descriptions.
ALTER TABLE open_matters ADD COLUMN description VARCHAR;
ALTER TABLE open_matters ADD COLUMN address VARCHAR;
ALTER TABLE open_matters ADD COLUMN external_ref VARCHAR;
UPDATE open_matters o SET description = m.description, address = m.address, external_ref = m.external_ref
FROM matters m WHERE m.matter_id = o.matter_id;
