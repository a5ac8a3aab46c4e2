// Package storetest makes big exp databases for tests and benchmarks: a
// million trials, or ten thousand runs, written with a few INSERT ...
// SELECT statements in seconds rather than through Recorder.AddTrial. It is
// not part of exp's command line; the files it makes are real exp
// databases (store.Open creates them with the real migrations) whose
// values are synthetic but deterministic.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/exp-tool/exp/store"
)

// ErrExists is returned by Generate when the file is already there: it
// only makes new files, so that its ids are predictable.
var ErrExists = errors.New("storetest: the file exists")

// Spec is the shape of a generated database.
type Spec struct {
	Runs    int // runs, all done, of the primes kernel under strong scaling
	Cells   int // cells per run: 8 worker counts (1 to 8) per range, ranges as needed
	Trials  int // measured trials per run, spread over the cells in turn (seq i is in cell i mod Cells)
	Workers int // per-worker rows per trial (0 for none)
}

// Generate creates an exp database at path holding the runs spec
// describes, in one transaction. Each trial's wall time is a cell's
// 50 ms / workers plus up to 5% of deterministic noise; every trial is
// correct, and every 97th (seq mod 97 = 0) contended:
// other processes kept a CPU busy for it and 30 ms more. It returns ErrExists if path exists.
func Generate(ctx context.Context, path string, spec Spec) error {
	if spec.Runs < 1 || spec.Cells < 1 || spec.Trials < 0 || spec.Workers < 0 {
		return fmt.Errorf("storetest: bad spec %+v (runs and cells >= 1)", spec)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", path, ErrExists)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	q := db.SQL()
	// A generated file is scratch: a crash while making it loses nothing.
	if _, err := q.ExecContext(ctx, `PRAGMA synchronous = OFF`); err != nil {
		return fmt.Errorf("generate %s: %w", path, err)
	}
	tx, err := q.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("generate %s: %w", path, err)
	}
	defer tx.Rollback()
	for _, s := range statements {
		if s.when != nil && !s.when(spec) {
			continue
		}
		if _, err := tx.ExecContext(ctx, s.query, s.args(spec)...); err != nil {
			return fmt.Errorf("generate %s: %s: %w", path, s.what, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("generate %s: %w", path, err)
	}
	return nil
}

// statements fill a new file, in order; n(k) is a recursive CTE counting
// from 0 to k-1.
var statements = []struct {
	what  string
	query string
	when  func(Spec) bool // nil: always
	args  func(Spec) []any
}{
	{"runs", `
		WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
		INSERT INTO runs (id, uuid, name, status, started_at, finished_at, heartbeat_at, config_path, config_yaml, config_sha256,
			seed, kernel, scaling, cpu_bound, repeats, warmup, chunk, exp_version, vcs_revision, vcs_modified, go_version,
			os, arch, hostname, cpu_model, num_cpu, gomaxprocs, kernel_release)
		SELECT i + 1, printf('01900000-0000-7000-8000-%012d', i), 'scale', 'done',
			'2026-11-27T10:00:00.000000Z', '2026-11-27T11:00:00.000000Z', '2026-11-27T11:00:00.000000Z',
			'experiments.yaml', 'name: scale', 'sha', 7, 'primes', 'strong', 1, ?, 0, 64,
			'v0.0.0', 'abc', 0, 'go1.26.8', 'linux', 'amd64', 'bench', 'Test CPU', 8, 8, '6.1.0'
		FROM n`,
		nil, func(s Spec) []any { return []any{s.Runs, (s.Trials + s.Cells - 1) / s.Cells} }},
	{"invocations", `
		INSERT INTO run_invocations (run_id, kind, started_at, finished_at, hostname, trials)
		SELECT id, 'start', started_at, finished_at, hostname, ? FROM runs ORDER BY id`,
		nil, func(s Spec) []any { return []any{s.Trials} }},
	{"cells", `
		WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
		INSERT INTO cells (run_id, idx, range_idx, range_start, range_count, schedule, workers)
		SELECT r.id, n.i, n.i / 8, 1000 * (n.i / 8) + 1, 1000, 'chunked', n.i % 8 + 1
		FROM runs r, n ORDER BY r.id, n.i`,
		nil, func(s Spec) []any { return []any{s.Cells} }},
	{"trials", `
		WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1),
			w(i, cell, ns) AS (SELECT i, i % ?2, 50000000 / (i % ?2 % 8 + 1) * (1000 + (i * 2654435761) % 50) / 1000 FROM n)
		INSERT INTO trials (run_id, cell_id, seq, rep, warmup, started_at, wall_ns, user_ns, sys_ns, load1, primes, checksum, ok,
			timed_out, other_cpu_ns)
		SELECT r.id, c.id, w.i, w.i / ?2, 0, '2026-11-27T10:00:00.000000Z', w.ns, w.ns * c.workers * 95 / 100, w.ns / 50, 0.5,
			34, 'checksum', 1, 0, CASE WHEN w.i % 97 = 0 THEN w.ns + 30000000 ELSE 0 END
		FROM runs r, w JOIN cells c ON c.run_id = r.id AND c.idx = w.cell
		ORDER BY r.id, w.i`,
		func(s Spec) bool { return s.Trials > 0 }, func(s Spec) []any { return []any{s.Trials, s.Cells} }},
	{"workers", `
		WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
		INSERT INTO trial_workers (trial_id, worker, busy_ns, items, primes)
		SELECT t.id, n.i, t.wall_ns * 9 / 10, 1000 / ?1, 34 / ?1 FROM trials t, n ORDER BY t.id, n.i`,
		func(s Spec) bool { return s.Trials > 0 && s.Workers > 0 }, func(s Spec) []any { return []any{s.Workers} }},
}
