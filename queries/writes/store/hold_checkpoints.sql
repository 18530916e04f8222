-- No automatic checkpoint while a backup copies the file (its checkpointed state must stay).
-- params: none
SET checkpoint_threshold = '1000GB';
