-- Replace the cell adjacency (queen contiguity) of the grid with the given pairs, both
-- directions listed by the caller (layers/adjacency_store.py).
-- params: cell_ids, neighbor_ids
DELETE FROM cell_adjacency;
INSERT INTO cell_adjacency
SELECT DISTINCT a, b
FROM (SELECT unnest($cell_ids::INTEGER[]) AS a, unnest($neighbor_ids::INTEGER[]) AS b)
WHERE a <> b;
