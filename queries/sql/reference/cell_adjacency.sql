-- The neighbour pairs of the grid (both directions), for warnings over neighbourhoods.
-- params: none
-- returns: cell_id, neighbor_id
SELECT cell_id, neighbor_id FROM cell_adjacency;
