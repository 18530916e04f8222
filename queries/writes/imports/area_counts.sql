-- The grid's size after an import, and the matters it holds.
-- returns: villages, cells, matters
-- params: none
SELECT count(*) FILTER (WHERE level = 'village') AS villages,
       count(*) FILTER (WHERE level = 'cell') AS cells,
       (SELECT count(*) FROM matters) AS matters
FROM areas;
