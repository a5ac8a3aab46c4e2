-- 0009_hooks: programs run around the trials (setup, prepare, conclude,
-- cleanup), each an argv run without a shell. Runs without hooks, and runs
-- from before it, hold NULL in every column added here. A failing setup
-- stores no run at all.

-- The hooks as written in the experiment file, placeholders unsubstituted:
-- a JSON object of argv arrays, {"setup": [...], "prepare": [...],
-- "conclude": [...], "cleanup": [...]}, with only the hooks the file set;
-- NULL without hooks.
ALTER TABLE runs ADD COLUMN hooks TEXT;
-- The exit status of the cleanup hook, run once at the end of each exp
-- that ran the run's trials (the last one's; 128+N when signal N killed
-- it); NULL without a cleanup hook, or while the run is running.
ALTER TABLE runs ADD COLUMN cleanup_status INTEGER CHECK (cleanup_status BETWEEN 0 AND 255);

-- The exit status of the conclude hook run after the trial (untimed); NULL
-- without a conclude hook. A failed conclude keeps the trial.
ALTER TABLE trials ADD COLUMN conclude_status INTEGER CHECK (conclude_status BETWEEN 0 AND 255);

-- skipped_trials: planned trials that were not run because their prepare
-- hook failed. They are not trials: no time is stored for them, so no
-- statistic and no view counts them; exp report names how many there are.
-- exp run --resume runs them again (and removes the row of one that now
-- runs).
CREATE TABLE skipped_trials (
    id             INTEGER PRIMARY KEY,
    run_id         INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    cell_id        INTEGER NOT NULL,
    seq            INTEGER NOT NULL CHECK (seq >= 0),          -- the planned trial's seq, as trials.seq
    rep            INTEGER NOT NULL CHECK (rep >= 0),          -- its repetition within the cell, as trials.rep
    warmup         INTEGER NOT NULL CHECK (warmup IN (0, 1)),  -- whether it was a warmup trial
    prepare_status INTEGER NOT NULL CHECK (prepare_status BETWEEN 1 AND 255), -- the prepare hook's exit status
    reason         TEXT NOT NULL,                              -- e.g. prepare failed (exit 3): its last stderr line
    UNIQUE (run_id, seq),
    FOREIGN KEY (run_id, cell_id) REFERENCES cells (run_id, id) ON DELETE CASCADE
) STRICT;
