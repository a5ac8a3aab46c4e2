-- 0008_shards: runs that are one shard of a matrix split across machines
-- (exp run --shard I/N, exp slurm submit), and the batch job and node that
-- ran them. Runs from before it, and unsharded runs, hold NULL in the
-- shard and Slurm columns.

-- Which part of the matrix the run ran: shard_index of shard_count, from 0.
ALTER TABLE runs ADD COLUMN shard_index INTEGER CHECK (shard_index >= 0);
ALTER TABLE runs ADD COLUMN shard_count INTEGER CHECK (shard_count >= 1);
-- The Slurm job that ran it: $SLURM_JOB_ID, $SLURM_ARRAY_JOB_ID and
-- $SLURM_ARRAY_TASK_ID; NULL outside Slurm.
ALTER TABLE runs ADD COLUMN slurm_job_id TEXT;
ALTER TABLE runs ADD COLUMN slurm_array_job_id TEXT;
ALTER TABLE runs ADD COLUMN slurm_array_task_id INTEGER CHECK (slurm_array_task_id >= 0);
-- The node it ran on: $SLURMD_NODENAME under Slurm, else the hostname.
ALTER TABLE runs ADD COLUMN node TEXT;
