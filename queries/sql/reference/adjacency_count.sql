-- How many neighbour pairs the grid has (0: adjacency not yet computed).
-- params: none
-- returns: pairs
SELECT count(*) AS pairs FROM cell_adjacency;
