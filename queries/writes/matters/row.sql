-- A matter's row, read in the transaction that acts on it.
-- params: matter_id
SELECT * FROM matters WHERE matter_id = $matter_id;
