-- Take one matter out of the current-state table.
-- params: matter_id
DELETE FROM open_matters WHERE matter_id = $matter_id;
