-- 0005_limits: time limits and the noise guard, per trial. It needs only
-- 0001_init's trials table. Trials written before it did not time out, and
-- recorded neither other processes' CPU nor a wait (NULL).

-- 1: the trial ran past the experiment file's timeout and was cancelled.
-- It has no answer to check, so ok = 0 (ok means "answer checked and
-- right") and mismatch says how far it got, but it is no wrong answer:
-- count wrong answers with ok = 0 AND timed_out = 0.
ALTER TABLE trials ADD COLUMN timed_out INTEGER NOT NULL DEFAULT 0
    CHECK (timed_out IN (0, 1) AND (timed_out = 0 OR ok = 0));

-- CPU time other processes used during the trial, nanoseconds: the
-- machine's busy time from /proc/stat (10 ms resolution) less this
-- process's getrusage time, never below 0; NULL where /proc/stat is unreadable.
ALTER TABLE trials ADD COLUMN other_cpu_ns INTEGER CHECK (other_cpu_ns >= 0);

-- How long exp run --quiet-machine waited, before the trial, for other
-- processes to go quiet, nanoseconds; NULL when it was not asked to.
ALTER TABLE trials ADD COLUMN quiet_wait_ns INTEGER CHECK (quiet_wait_ns >= 0);
