-- 0004_invocations: each exp process that ran a run (the one that started
-- it, then one per `exp run --resume`), and the heartbeat that tells a run
-- being executed from one whose exp died. Runs written before this
-- migration get their one starting invocation, as far as the file knows it.

CREATE TABLE run_invocations (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('start', 'resume')),
    started_at  TEXT    NOT NULL,
    finished_at TEXT,                                  -- NULL while running, or if its exp was killed
    hostname    TEXT    NOT NULL,                      -- machine the invocation ran on
    trials      INTEGER NOT NULL DEFAULT 0 CHECK (trials >= 0)  -- trials this invocation added
) STRICT;

CREATE INDEX run_invocations_run ON run_invocations (run_id);

-- Written every few seconds by the exp executing the run (store.HeartbeatInterval);
-- a run still 'running' whose heartbeat stopped is read as abandoned. NULL
-- for runs from before this migration.
ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;

INSERT INTO run_invocations (run_id, kind, started_at, finished_at, hostname, trials)
SELECT r.id, 'start', r.started_at, r.finished_at, r.hostname,
       (SELECT count(*) FROM trials t WHERE t.run_id = r.id)
FROM runs r ORDER BY r.id;
