-- 0006_views: the common questions, answered in SQL with the numbers exp
-- report prints. SQLite has no median; these views compute it with window
-- functions when queried, so they hold for every run in the file, however
-- it ended, was resumed or was merged in, and store nothing that could go
-- stale. Times are seconds (REAL).
--
-- A cell's measured trials are exp report's: warmup = 0 AND timed_out = 0.
-- Trials with a wrong answer stay in (and are counted in `failed`), as do
-- contended ones (exp report --exclude-contended is not the default).

-- cell_stats: one row per cell, with the wall-time statistics of its
-- measured trials; n = 0 and NULL statistics for a cell without any.
CREATE VIEW cell_stats AS
WITH measured AS (
    SELECT t.run_id, t.cell_id, t.wall_ns / 1e9 AS wall_s,
           row_number() OVER (PARTITION BY t.run_id, t.cell_id ORDER BY t.wall_ns, t.seq) AS k,
           count(*) OVER (PARTITION BY t.run_id, t.cell_id) AS n,
           avg(t.wall_ns / 1e9) OVER (PARTITION BY t.run_id, t.cell_id) AS mean_s
    FROM trials t
    WHERE t.warmup = 0 AND t.timed_out = 0
),
summary AS (
    SELECT cell_id, max(n) AS n, max(mean_s) AS mean_s,
           -- the middle value, or the mean of the two middle values
           avg(wall_s) FILTER (WHERE k IN ((n + 1) / 2, (n + 2) / 2)) AS median_s,
           min(wall_s) AS min_s, max(wall_s) AS max_s,
           -- sample standard deviation (n - 1), two-pass for accuracy
           CASE WHEN max(n) > 1 THEN sqrt(sum((wall_s - mean_s) * (wall_s - mean_s)) / (max(n) - 1)) END AS stddev_s
    FROM measured
    GROUP BY cell_id
)
SELECT c.run_id, c.id AS cell_id, c.idx AS cell_idx, c.range_idx, c.range_start, c.range_count,
       c.schedule, c.workers,
       coalesce(s.n, 0) AS n, s.mean_s, s.median_s, s.min_s, s.max_s, s.stddev_s,
       s.stddev_s / nullif(s.mean_s, 0) AS cv,         -- coefficient of variation, a fraction
       (SELECT count(*) FROM trials t WHERE t.cell_id = c.id AND t.warmup = 1 AND t.timed_out = 0) AS warmups,
       (SELECT count(*) FROM trials t WHERE t.cell_id = c.id AND t.ok = 0 AND t.timed_out = 0) AS failed,
       (SELECT count(*) FROM trials t WHERE t.cell_id = c.id AND t.timed_out = 1) AS timed_out
FROM cells c
LEFT JOIN summary s ON s.cell_id = c.id;

-- cell_speedup: one row per cell, its speedup and efficiency against the
-- 1-worker cell of the same run, range and schedule, from the two medians:
-- T(1) / T(w) under strong scaling, w T(1) / T(w) (scaled speedup) under
-- weak. processors is exp report's p: min(workers, usable CPUs) for a
-- CPU-bound kernel, workers for one that waits; karp_flatt is the
-- experimentally determined serial fraction (1/S - 1/p) / (1 - 1/p), for
-- p > 1 under strong scaling. NULL where a median is missing.
CREATE VIEW cell_speedup AS
WITH usable AS (
    SELECT id AS run_id, scaling, cpu_bound,
           min(max(num_cpu, 1),
               CASE WHEN gomaxprocs > 0 THEN gomaxprocs ELSE max(num_cpu, 1) END,
               CASE WHEN cgroup_cpu_limit > 0   -- rounded up
                    THEN CAST(cgroup_cpu_limit AS INTEGER) + (cgroup_cpu_limit > CAST(cgroup_cpu_limit AS INTEGER))
                    ELSE max(num_cpu, 1) END) AS cpus
    FROM runs
),
speedup AS (
    SELECT s.run_id, s.cell_id, s.cell_idx, s.range_idx, s.range_start, s.range_count, s.schedule, s.workers,
           CASE WHEN u.cpu_bound = 1 THEN min(s.workers, u.cpus) ELSE s.workers END AS processors,
           u.scaling, s.n, s.median_s,
           -- the 1-worker cell's median, from the same pass over cell_stats
           max(CASE WHEN s.workers = 1 THEN s.median_s END)
               OVER (PARTITION BY s.run_id, s.range_idx, s.schedule) AS base_median_s
    FROM cell_stats s
    JOIN usable u ON u.run_id = s.run_id
),
ratio AS (
    SELECT *, CASE WHEN scaling = 'weak' THEN workers ELSE 1 END * base_median_s / median_s AS speedup
    FROM speedup
)
SELECT run_id, cell_id, cell_idx, range_idx, range_start, range_count, schedule, workers, processors,
       n, median_s, base_median_s, speedup,
       speedup / workers AS efficiency,
       CASE WHEN processors > 1 AND scaling = 'strong'
            THEN (1.0 / speedup - 1.0 / processors) / (1 - 1.0 / processors) END AS karp_flatt
FROM ratio;

-- run_summary: one row per run: how it ended, where it ran, what it holds
-- and how long it took. status is exp runs': a run still marked running
-- whose heartbeat (or, without one, start) is older than 6 s (3 missed
-- heartbeats at exp's default 2 s interval) reads as abandoned.
CREATE VIEW run_summary AS
SELECT r.id AS run_id, r.uuid, r.name,
       CASE WHEN r.status = 'running'
                 AND (julianday('now') - julianday(coalesce(r.heartbeat_at, r.started_at))) * 86400 > 6
            THEN 'abandoned' ELSE r.status END AS status,
       r.hostname, r.cpu_model, r.num_cpu, r.kernel, r.scaling, r.reproduces,
       r.started_at, r.finished_at,
       (julianday(r.finished_at) - julianday(r.started_at)) * 86400 AS duration_s,  -- NULL while running
       (SELECT count(*) FROM cells c WHERE c.run_id = r.id) AS cells,
       (SELECT count(*) FROM trials t WHERE t.run_id = r.id) AS trials,
       (SELECT count(*) FROM trials t WHERE t.run_id = r.id AND t.warmup = 0) AS measured,
       (SELECT count(*) FROM trials t WHERE t.run_id = r.id AND t.warmup = 1) AS warmups,
       (SELECT count(*) FROM trials t WHERE t.run_id = r.id AND t.ok = 0 AND t.timed_out = 0) AS failed,
       (SELECT count(*) FROM trials t WHERE t.run_id = r.id AND t.timed_out = 1) AS timed_out,
       (SELECT count(*) FROM run_invocations i WHERE i.run_id = r.id) AS invocations,
       r.config_sha256, r.exp_version, r.vcs_revision
FROM runs r;
