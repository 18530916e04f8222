-- The last id the API gave out today (ids are yyyymmdd × 100000 + the day's sequence).
-- params: lo, hi
-- returns: last
SELECT max(matter_id) AS last FROM matters WHERE matter_id > $lo AND matter_id < $hi;
