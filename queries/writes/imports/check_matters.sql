-- Parse and check the rows of a matter import. Reads the temp views import_file (our
-- fields as trimmed text, NULL when empty; __row = position in the file), import_status_map and import_source_map
-- (their value in lower case → ours). Every row gets the first check it fails as its
-- reason (NULL: accepted); timestamps parse with the mapping's strptime formats, ISO 8601
-- as a fallback. Status: a close time makes a matter closed; without one the mapped status
-- holds, else dispatched (with a department) or registered.
-- params: ts_formats, default_source
CREATE OR REPLACE TEMP TABLE import_checked AS
WITH texts AS (
    SELECT __row, id AS ext_id, created_at AS created_text, closed_at AS closed_text, due_at AS due_text,
           category, major, department, lower(status) AS status_key, lower(source) AS source_key,
           description, address, lat AS lat_text, lon AS lon_text, point AS point_text
    FROM import_file
),
-- Later rows repeating an id: found on a narrow projection (a window over the wide rows
-- would carry every text column through the sort).
repeats AS (
    SELECT __row
    FROM (SELECT __row, row_number() OVER (PARTITION BY id ORDER BY __row) AS id_rank
          FROM import_file
          WHERE id IN (SELECT id FROM import_file WHERE id IS NOT NULL GROUP BY id HAVING count(*) > 1))
    WHERE id_rank > 1
),
points AS (
    SELECT *,
           -- "(lat, lon)" text, or WKT POINT (lon lat)
           regexp_extract(point_text, '^\(\s*([^,\s]+)\s*,\s*([^,\s)]+)\s*\)$', ['a', 'b']) AS paren,
           regexp_extract(upper(point_text), '^POINT\s*\(\s*([^\s(),]+)\s+([^\s(),]+)\s*\)$', ['a', 'b']) AS wkt
    FROM texts
),
parsed AS (
    SELECT *,
           coalesce(try_strptime(created_text, $ts_formats), try_cast(created_text AS TIMESTAMP)) AS created_ts,
           coalesce(try_strptime(closed_text, $ts_formats), try_cast(closed_text AS TIMESTAMP)) AS closed_ts,
           coalesce(try_strptime(due_text, $ts_formats), try_cast(due_text AS TIMESTAMP)) AS due_ts,
           coalesce(lat_text, nullif(paren.a, ''), nullif(wkt.b, '')) AS lat_t,
           coalesce(lon_text, nullif(paren.b, ''), nullif(wkt.a, '')) AS lon_t,
           point_text IS NOT NULL AND coalesce(paren.a, '') = '' AND coalesce(wkt.a, '') = '' AS point_bad,
           __row IN (SELECT __row FROM repeats) AS repeated
    FROM points
),
numbers AS (
    SELECT p.*,
           try_cast(lat_t AS DOUBLE) AS lat_d,
           try_cast(lon_t AS DOUBLE) AS lon_d,
           sm.ours AS mapped_status,
           coalesce(so.ours, $default_source) AS source_ours,
           EXISTS (SELECT 1 FROM matters m WHERE m.origin = 'import' AND m.external_ref = p.ext_id) AS seen_before
    FROM parsed p
    LEFT JOIN import_status_map sm ON sm.theirs = p.status_key
    LEFT JOIN import_source_map so ON so.theirs = p.source_key
)
SELECT __row,
       CASE
           WHEN ext_id IS NULL THEN 'id missing'
           WHEN repeated THEN 'id duplicate of an earlier row'
           WHEN created_text IS NULL THEN 'created_at missing'
           WHEN created_ts IS NULL THEN 'created_at unparseable'
           WHEN closed_text IS NOT NULL AND closed_ts IS NULL THEN 'closed_at unparseable'
           WHEN due_text IS NOT NULL AND due_ts IS NULL THEN 'due_at unparseable'
           WHEN closed_ts < created_ts THEN 'closed_at earlier than created_at'
           WHEN point_bad THEN 'lat/lon not numbers'
           WHEN (lat_t IS NULL) <> (lon_t IS NULL) THEN 'lat/lon incomplete'
           WHEN lat_t IS NOT NULL AND (lat_d IS NULL OR lon_d IS NULL OR NOT isfinite(lat_d)
                                       OR NOT isfinite(lon_d)) THEN 'lat/lon not numbers'
           WHEN lat_t IS NOT NULL AND (abs(lat_d) > 90 OR abs(lon_d) > 180) THEN 'lat/lon out of range'
           WHEN closed_ts IS NULL AND mapped_status = 'closed' THEN 'status closed but no closed_at'
           WHEN seen_before THEN 'id already imported'
       END AS reason,
       ext_id, created_text, closed_text, due_text, created_ts, closed_ts, due_ts,
       category, major, department, status_key, mapped_status,
       CASE
           WHEN closed_ts IS NOT NULL THEN 'closed'
           WHEN mapped_status IS NOT NULL THEN mapped_status
           WHEN department IS NOT NULL THEN 'dispatched'
           ELSE 'registered'
       END AS final_status,
       closed_ts IS NOT NULL AND mapped_status IS NOT NULL AND mapped_status <> 'closed' AS status_conflict,
       source_ours AS source, description, address,
       CASE WHEN lat_t IS NOT NULL THEN lat_d END AS lat,
       CASE WHEN lon_t IS NOT NULL THEN lon_d END AS lon
FROM numbers;
