-- 0001_init: runs, cells, trials and per-worker data of an experiment.
-- Times are RFC 3339 UTC text; durations are integer nanoseconds (_ns).

CREATE TABLE runs (
    id               INTEGER PRIMARY KEY,
    uuid             TEXT    NOT NULL UNIQUE,          -- UUIDv7, stable across merged files
    name             TEXT    NOT NULL,                 -- experiment name from the YAML
    status           TEXT    NOT NULL CHECK (status IN ('running', 'done', 'interrupted', 'failed')),
    started_at       TEXT    NOT NULL,
    finished_at      TEXT,                             -- NULL while running
    error            TEXT,                             -- why the run failed or stopped
    config_path      TEXT    NOT NULL,                 -- YAML path as given
    config_yaml      TEXT    NOT NULL,                 -- YAML verbatim
    config_sha256    TEXT    NOT NULL,
    seed             INTEGER NOT NULL,                 -- seed of the trial order
    kernel           TEXT    NOT NULL,
    repeats          INTEGER NOT NULL,                 -- measured trials per cell
    warmup           INTEGER NOT NULL,                 -- warmup trials per cell
    chunk            INTEGER NOT NULL,                 -- numbers per chunk (chunked schedule)
    exp_version      TEXT    NOT NULL,
    vcs_revision     TEXT    NOT NULL,
    vcs_modified     INTEGER NOT NULL CHECK (vcs_modified IN (0, 1)),
    go_version       TEXT    NOT NULL,
    os               TEXT    NOT NULL,
    arch             TEXT    NOT NULL,
    hostname         TEXT    NOT NULL,
    cpu_model        TEXT    NOT NULL,
    num_cpu          INTEGER NOT NULL,                 -- runtime.NumCPU
    gomaxprocs       INTEGER NOT NULL,
    cgroup_cpu_limit REAL,                             -- CPUs allowed by the cgroup quota; NULL if none
    cpu_governor     TEXT,                             -- cpufreq governor; NULL if unreadable
    kernel_release   TEXT    NOT NULL
) STRICT;

CREATE TABLE cells (
    id                 INTEGER PRIMARY KEY,
    run_id             INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    idx                INTEGER NOT NULL,               -- position in the run's matrix
    range_idx          INTEGER NOT NULL,               -- position of the range in the YAML
    range_start        INTEGER NOT NULL CHECK (range_start >= 0),  -- first number tested
    range_count        INTEGER NOT NULL CHECK (range_count >= 1),  -- how many numbers
    schedule           TEXT    NOT NULL CHECK (schedule IN ('per-item', 'chunked', 'static')),
    workers            INTEGER NOT NULL CHECK (workers >= 1),
    expected_primes    INTEGER,                        -- oracle answer; NULL if the kernel has none
    expected_checksum  TEXT,
    UNIQUE (run_id, idx),
    UNIQUE (run_id, id)                                -- target of trials' (run_id, cell_id)
) STRICT;

CREATE TABLE trials (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    cell_id     INTEGER NOT NULL,
    seq         INTEGER NOT NULL,                      -- order within the run, from 0
    rep         INTEGER NOT NULL,                      -- order within the cell, from 0; warmups first
    warmup      INTEGER NOT NULL CHECK (warmup IN (0, 1)),
    started_at  TEXT    NOT NULL,
    wall_ns     INTEGER NOT NULL CHECK (wall_ns >= 0),  -- monotonic wall time
    user_ns     INTEGER NOT NULL,                      -- process user CPU time (getrusage)
    sys_ns      INTEGER NOT NULL,                      -- process system CPU time
    load1       REAL,                                  -- 1-minute load average before the trial
    primes      INTEGER NOT NULL,                      -- hits found
    checksum    TEXT    NOT NULL,                      -- SHA-256 of the sorted primes
    ok          INTEGER NOT NULL CHECK (ok IN (0, 1)), -- answer matched the reference
    mismatch    TEXT,                                  -- why ok = 0
    UNIQUE (run_id, seq),
    -- a trial's cell belongs to the trial's run
    FOREIGN KEY (run_id, cell_id) REFERENCES cells (run_id, id) ON DELETE CASCADE
) STRICT;

CREATE INDEX trials_cell ON trials (cell_id);

CREATE TABLE trial_workers (
    trial_id INTEGER NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
    worker   INTEGER NOT NULL,                         -- worker index, from 0
    busy_ns  INTEGER NOT NULL,                         -- time inside the kernel
    items    INTEGER NOT NULL,                         -- numbers tested
    primes   INTEGER NOT NULL,                         -- hits found by this worker
    PRIMARY KEY (trial_id, worker)
) STRICT;

-- trial_facts: one row per trial with its cell and run, times in seconds.
CREATE VIEW trial_facts AS
SELECT r.id AS run_id, r.uuid AS run_uuid, r.name AS run_name,
       c.range_start, c.range_count, c.schedule, c.workers,
       t.seq, t.rep, t.warmup, t.started_at,
       t.wall_ns / 1e9 AS wall_s, t.user_ns / 1e9 AS user_s, t.sys_ns / 1e9 AS sys_s,
       t.load1, t.primes, t.checksum, t.ok
FROM trials t
JOIN cells c ON c.id = t.cell_id
JOIN runs r ON r.id = t.run_id;
