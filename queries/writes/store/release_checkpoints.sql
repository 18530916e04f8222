-- Automatic checkpoints again, at DuckDB's default WAL size, once the backup's copy is done.
-- params: none
RESET checkpoint_threshold;
