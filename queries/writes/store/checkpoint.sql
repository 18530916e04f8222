-- Write the WAL into the database file (before a backup copies it).
-- params: none
CHECKPOINT;
