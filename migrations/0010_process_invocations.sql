-- 0010_process_invocations: a run's trials split over several fresh exp
-- processes (the experiment file's `invocations: N`), run one after the
-- other, so that the variation between processes is measured, not only
-- the variation between trials of one process. Not to be confused with
-- run_invocations (0004), the exp commands that started or resumed a run:
-- one such command runs all N processes in turn.

-- Which of the run's processes ran the trial, from 0 to
-- runs.process_invocations - 1; 0 for every trial of a run of one process,
-- and for trials from before this migration.
ALTER TABLE trials ADD COLUMN invocation INTEGER NOT NULL DEFAULT 0 CHECK (invocation >= 0);

-- How many processes the run's trials are split over, as planned
-- (`invocations` in the file; 1 without it, and for runs from before this
-- migration). Each cell then plans process_invocations x warmup + repeats
-- trials.
ALTER TABLE runs ADD COLUMN process_invocations INTEGER NOT NULL DEFAULT 1 CHECK (process_invocations BETWEEN 1 AND 1000);
