-- Matter ids for the accepted rows in the house scheme, yyyymmdd × 100000 + sequence of the
-- day (DOMAIN: ids in time order), continuing after the ids a day already has, so they
-- never collide with existing matters; within a day in created_at order, then file order.
-- params: none
CREATE OR REPLACE TEMP TABLE import_ids AS
WITH accepted AS (
    SELECT __row, created_ts,
           CAST(year(created_ts) * 10000 + month(created_ts) * 100 + day(created_ts) AS BIGINT) AS ymd
    FROM import_checked
    WHERE reason IS NULL
),
used AS (
    SELECT matter_id // 100000 AS ymd, max(matter_id % 100000) AS last_seq
    FROM matters
    GROUP BY ALL
)
SELECT a.__row, a.ymd,
       coalesce(u.last_seq, 0) + row_number() OVER (PARTITION BY a.ymd ORDER BY a.created_ts, a.__row) AS seq,
       a.ymd * 100000 + coalesce(u.last_seq, 0)
           + row_number() OVER (PARTITION BY a.ymd ORDER BY a.created_ts, a.__row) AS matter_id
FROM accepted a
LEFT JOIN used u ON u.ymd = a.ymd;
-- The accepted rows with their ids, which the inserts read. Not sorted by id: the rows land
-- in file order (exports usually run in time order, which keeps DuckDB's zone maps useful);
-- sorting every wide row cost a fifth of the import.
CREATE OR REPLACE TEMP TABLE import_accepted AS
SELECT i.matter_id, i.ymd, i.seq, c.*
FROM import_checked c
JOIN import_ids i ON i.__row = c.__row
WHERE c.reason IS NULL;
