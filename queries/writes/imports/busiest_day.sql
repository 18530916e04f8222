-- The day whose sequence an import pushes highest (the id scheme holds 99,999 a day).
-- returns: day, last_seq
-- params: none
SELECT ymd AS day, max(seq) AS last_seq
FROM import_ids
GROUP BY ymd
ORDER BY last_seq DESC
LIMIT 1;
