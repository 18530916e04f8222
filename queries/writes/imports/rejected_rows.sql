-- The rows an import rejects, in file order, with their reason.
-- returns: __row, reason
-- params: none
SELECT __row, reason
FROM import_checked
WHERE reason IS NOT NULL
ORDER BY __row;
