package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/exp-tool/exp/experiment"
)

// Recorder appends the trials of one run. It is not safe for concurrent use:
// exp has one writer goroutine.
type Recorder struct {
	db         *DB
	RunID      int64   // database id of the run
	cellIDs    []int64 // database id of each plan cell, by cell index
	invocation int64   // id of this process's row in run_invocations
	// Retries are the waits before each retry of a commit that found the
	// database locked by another process; CommitRetries if nil.
	Retries []time.Duration
	// OnBusy, if set, is told of each such retry before its wait (exp
	// prints it on stderr).
	OnBusy func(Busy)
}

// retries returns r.Retries, or CommitRetries if it is nil.
func (r *Recorder) retries() []time.Duration {
	if r.Retries == nil {
		return CommitRetries
	}
	return r.Retries
}

// CreateRun inserts run (setting run.ID) and the cells of plan p, each with
// the oracle answer of the range it tests (refs[cell.Range], from
// experiment.References; refs may be nil), in one transaction, together
// with the run's starting invocation (on run.Host.Hostname) and its first
// heartbeat (run.StartedAt). It returns a Recorder for the run's trials.
// run.Reproduces, if set, must be a UUID (the schema refuses anything
// else); the run it names need not be in this file.
func (db *DB) CreateRun(ctx context.Context, run *experiment.Run, p *experiment.Plan, refs map[experiment.Range]experiment.Reference) (*Recorder, error) {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, db.fail("create run", err)
	}
	defer tx.Rollback()
	h := run.Host
	var cgroup sql.NullFloat64
	if h.CgroupCPULimit > 0 {
		cgroup = sql.NullFloat64{Float64: h.CgroupCPULimit, Valid: true}
	}
	b := run.Batch
	var shardIndex, shardCount, taskID sql.NullInt64
	if run.Shard.Sharded() {
		shardIndex, shardCount = sql.NullInt64{Int64: int64(run.Shard.Index), Valid: true}, sql.NullInt64{Int64: int64(run.Shard.Count), Valid: true}
	}
	if b.ArrayTaskID >= 0 && b.ArrayJobID != "" {
		taskID = sql.NullInt64{Int64: int64(b.ArrayTaskID), Valid: true}
	}
	argv, env, workdir, check, err := commandColumns(run.Command)
	if err != nil {
		return nil, fmt.Errorf("create run: %w", err)
	}
	hooks, err := hooksColumn(p.Config.Hooks)
	if err != nil {
		return nil, fmt.Errorf("create run: %w", err)
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO runs (uuid, reproduces, name, status, started_at, heartbeat_at, config_path, config_yaml, config_sha256,
			seed, kernel, scaling, cpu_bound, repeats, warmup, chunk, exp_version, vcs_revision, vcs_modified, go_version,
			os, arch, hostname, cpu_model, num_cpu, gomaxprocs, cgroup_cpu_limit, cpu_governor, kernel_release,
			command_argv, command_env, command_workdir, command_check,
			shard_index, shard_count, slurm_job_id, slurm_array_job_id, slurm_array_task_id, node, hooks, process_invocations)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		run.UUID, nullString(run.Reproduces), run.Name, string(run.Status), formatTime(run.StartedAt), formatTime(run.StartedAt),
		run.ConfigPath, run.ConfigYAML, run.ConfigSHA256,
		run.Seed, run.Kernel, cmp.Or(run.Scaling, experiment.ScalingStrong), run.CPUBound, run.Repeats, run.Warmup, run.Chunk,
		h.ExpVersion, h.VCSRevision, h.VCSModified, h.GoVersion,
		h.OS, h.Arch, h.Hostname, h.CPUModel, h.NumCPU, h.GOMAXPROCS, cgroup, nullString(h.CPUGovernor), h.KernelRelease,
		argv, env, workdir, check,
		shardIndex, shardCount, nullString(b.JobID), nullString(b.ArrayJobID), taskID, nullString(b.Node), hooks, max(run.ProcessInvocations, 1))
	if err != nil {
		return nil, db.fail("create run", err)
	}
	if run.ID, err = res.LastInsertId(); err != nil {
		return nil, db.fail("create run", err)
	}
	rec := &Recorder{db: db, RunID: run.ID, cellIDs: make([]int64, len(p.Cells))}
	if rec.invocation, err = insertInvocation(ctx, tx, run.ID, experiment.InvocationStart, run.StartedAt, h.Hostname); err != nil {
		return nil, fmt.Errorf("create run: %w", err)
	}
	for i, c := range p.Cells {
		var primes sql.NullInt64
		var sum sql.NullString
		if ref := refs[c.Range]; ref.Source == experiment.SourceOracle {
			primes = sql.NullInt64{Int64: int64(ref.Hits), Valid: true}
			sum = nullString(ref.Checksum)
		}
		input, size, inputSum := cellInput(c, p.Inputs)
		res, err := tx.ExecContext(ctx, `
			INSERT INTO cells (run_id, idx, range_idx, range_start, range_count, schedule, workers, expected_primes, expected_checksum,
				input, input_size_bytes, input_sha256)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			run.ID, c.Index, c.RangeIndex, int64(c.Range.Start), int64(c.Range.Count), string(c.Schedule), c.Workers, primes, sum,
			input, size, inputSum)
		if err != nil {
			return nil, db.fail(fmt.Sprintf("create cell %d", i), err)
		}
		if rec.cellIDs[i], err = res.LastInsertId(); err != nil {
			return nil, db.fail(fmt.Sprintf("create cell %d", i), err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, db.fail("create run", err)
	}
	return rec, nil
}

// DBPath returns the file the run is written to.
func (r *Recorder) DBPath() string { return r.db.path }

// Finish records how the run ended, and when this process's invocation
// ended. It uses a fresh context so that a run cancelled by Ctrl-C can
// still be marked interrupted, and retries as AddTrial does while another
// process holds the write lock. If another exp has resumed the run since,
// only the invocation is finished and Finish returns ErrSuperseded: the
// run's outcome is the other exp's to record.
func (r *Recorder) Finish(status experiment.Status, msg string) error {
	superseded := false
	err := retryBusy(context.Background(), fmt.Sprintf("finishing run %d", r.RunID), r.retries(), r.OnBusy, func() error {
		var err error
		superseded, err = r.finish(status, msg)
		return err
	})
	if err != nil {
		return r.db.fail(fmt.Sprintf("finish run %d", r.RunID), err)
	}
	if superseded {
		return fmt.Errorf("finish run %d: %w", r.RunID, ErrSuperseded)
	}
	return nil
}

// finish records the outcome in one transaction; superseded reports that
// another exp's invocation now owns the run.
func (r *Recorder) finish(status experiment.Status, msg string) (superseded bool, err error) {
	ctx := context.Background()
	tx, err := r.db.sql.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	now := formatTime(r.db.Now())
	if _, err := tx.ExecContext(ctx, `UPDATE run_invocations SET finished_at = ? WHERE id = ?`, now, r.invocation); err != nil {
		return false, err
	}
	res, err := tx.ExecContext(ctx, `
		UPDATE runs SET status = ?, finished_at = ?, heartbeat_at = ?, error = ?
		WHERE id = ? AND ? = (SELECT max(id) FROM run_invocations WHERE run_id = ?)`,
		string(status), now, now, nullString(msg), r.RunID, r.invocation, r.RunID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	return n != 1, tx.Commit()
}

// runColumns is the SELECT list scanned by scanRun, for the current schema
// (see DB.runColumns).
const runColumns = `r.id, r.uuid, coalesce(r.reproduces, ''), r.name, r.status, r.started_at, coalesce(r.finished_at, ''), coalesce(r.error, ''),
	r.config_path, r.config_yaml, r.config_sha256, r.seed, r.kernel, r.scaling, r.cpu_bound, r.repeats, r.warmup, r.chunk,
	r.exp_version, r.vcs_revision, r.vcs_modified, r.go_version, r.os, r.arch, r.hostname, r.cpu_model,
	r.num_cpu, r.gomaxprocs, coalesce(r.cgroup_cpu_limit, 0), coalesce(r.cpu_governor, ''), r.kernel_release,
	(SELECT count(*) FROM trials t WHERE t.run_id = r.id),
	coalesce(r.heartbeat_at, ''), (SELECT count(*) FROM run_invocations i WHERE i.run_id = r.id),
	r.command_argv, r.command_env, r.command_workdir, r.command_check,
	coalesce(r.shard_index, 0), coalesce(r.shard_count, 0), coalesce(r.slurm_job_id, ''), coalesce(r.slurm_array_job_id, ''),
	coalesce(r.slurm_array_task_id, -1), coalesce(r.node, ''), r.process_invocations`

// addedRunColumns lists, for each migration that added columns to runs,
// the SELECT expressions that read them and what a file from before it,
// read without upgrading it, holds instead: the column defaults.
var addedRunColumns = []struct {
	version      int    // migration that added the columns
	expr, before string // in runColumns; the value for an older file
}{
	{2, "r.scaling, r.cpu_bound", "'strong', 1"}, // 0002_scaling: strong scaling of a CPU-bound kernel
	{3, "coalesce(r.reproduces, '')", "''"},      // 0003_reproduces: no run reproduced another
	// 0004_invocations: no heartbeat, and the one invocation that started the run.
	{4, "coalesce(r.heartbeat_at, ''), (SELECT count(*) FROM run_invocations i WHERE i.run_id = r.id)", "'', 1"},
	// 0007_command: every run was of an in-process kernel.
	{commandVersion, "r.command_argv, r.command_env, r.command_workdir, r.command_check", "NULL, NULL, NULL, NULL"},
	// 0008_shards: no run was a shard, and none recorded a batch job or node.
	{shardsVersion, `coalesce(r.shard_index, 0), coalesce(r.shard_count, 0), coalesce(r.slurm_job_id, ''), coalesce(r.slurm_array_job_id, ''),
	coalesce(r.slurm_array_task_id, -1), coalesce(r.node, '')`, "0, 0, '', '', -1, ''"},
	// 0010_process_invocations: every run was of one process.
	{processInvocationsVersion, "r.process_invocations", "1"},
}

// processInvocationsVersion is the migration that added
// runs.process_invocations and trials.invocation.
const processInvocationsVersion = 10

// shardsVersion is the migration that added the shard, Slurm and node
// columns to runs.
const shardsVersion = 8

// runColumns returns the SELECT list of runs for the file's schema: a
// write-protected file from an older exp lacks the columns later
// migrations added, and reads as their defaults.
func (db *DB) runColumns() string {
	cols := runColumns
	for _, c := range addedRunColumns {
		if db.old != 0 && db.old < c.version {
			cols = strings.Replace(cols, c.expr, c.before, 1)
		}
	}
	return cols
}

// hasColumnsOf reports whether the file holds the columns that migration
// version added: always, unless it is an older file read as it is.
func (db *DB) hasColumnsOf(version int) bool { return db.old == 0 || db.old >= version }

func scanRun(sc interface{ Scan(...any) error }) (experiment.Run, error) {
	var r experiment.Run
	var status, started, finished, heartbeat string
	var argv, env, workdir, check sql.NullString
	h := &r.Host
	err := sc.Scan(&r.ID, &r.UUID, &r.Reproduces, &r.Name, &status, &started, &finished, &r.Error,
		&r.ConfigPath, &r.ConfigYAML, &r.ConfigSHA256, &r.Seed, &r.Kernel, &r.Scaling, &r.CPUBound, &r.Repeats, &r.Warmup, &r.Chunk,
		&h.ExpVersion, &h.VCSRevision, &h.VCSModified, &h.GoVersion, &h.OS, &h.Arch, &h.Hostname, &h.CPUModel,
		&h.NumCPU, &h.GOMAXPROCS, &h.CgroupCPULimit, &h.CPUGovernor, &h.KernelRelease, &r.Trials,
		&heartbeat, &r.Invocations, &argv, &env, &workdir, &check,
		&r.Shard.Index, &r.Shard.Count, &r.Batch.JobID, &r.Batch.ArrayJobID, &r.Batch.ArrayTaskID, &r.Batch.Node, &r.ProcessInvocations)
	if err != nil {
		return r, err
	}
	if r.Command, err = scanCommand(argv, env, workdir, check); err != nil {
		return r, fmt.Errorf("run %d: %w", r.ID, err)
	}
	r.Status = experiment.Status(status)
	if r.StartedAt, err = parseTime("started_at", started); err != nil {
		return r, fmt.Errorf("run %d: %w", r.ID, err)
	}
	if finished != "" {
		if r.FinishedAt, err = parseTime("finished_at", finished); err != nil {
			return r, fmt.Errorf("run %d: %w", r.ID, err)
		}
	}
	if heartbeat != "" {
		if r.HeartbeatAt, err = parseTime("heartbeat_at", heartbeat); err != nil {
			return r, fmt.Errorf("run %d heartbeat_at: %w", r.ID, err)
		}
	}
	return r, nil
}

// ListRuns returns every run, oldest first, with its trial count. Like
// every method that reads runs, it reports a run stored as running whose
// heartbeat has stopped (see HeartbeatInterval) as
// experiment.StatusAbandoned; the file is not changed.
func (db *DB) ListRuns(ctx context.Context) ([]experiment.Run, error) {
	return db.queryRuns(ctx, `ORDER BY r.id`)
}

// MinUUIDPrefix is the shortest digits-only ref FindRun also tries as a UUID
// prefix; shorter ones are ids only, so that "--run 0" never picks a run.
const MinUUIDPrefix = 8

// FindRun returns the run named by ref: "latest" (or ""), a numeric id, or a
// UUID or unique UUID prefix (a digits-only ref of at least MinUUIDPrefix
// characters that is no run's id is tried as a UUID prefix). It returns
// ErrRunNotFound if none matches or a prefix is ambiguous.
func (db *DB) FindRun(ctx context.Context, ref string) (experiment.Run, error) {
	ref = strings.TrimSpace(strings.ToLower(ref))
	if ref == "" || ref == "latest" {
		found, err := db.queryRuns(ctx, `ORDER BY r.id DESC LIMIT 1`)
		if err != nil {
			return experiment.Run{}, err
		}
		if len(found) == 0 {
			return experiment.Run{}, fmt.Errorf("%w: the database has no runs yet", ErrRunNotFound)
		}
		return found[0], nil
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		found, err := db.queryRuns(ctx, `WHERE r.id = ?`, id)
		if err != nil || len(found) == 1 {
			return firstRun(found, err)
		}
		if len(ref) < MinUUIDPrefix {
			return experiment.Run{}, fmt.Errorf("%w: no run has id %s (see exp runs)", ErrRunNotFound, ref)
		}
	}
	found, err := db.queryRuns(ctx, `WHERE r.uuid LIKE ? ESCAPE '\' ORDER BY r.id LIMIT 2`, escapeLike(ref)+"%")
	switch {
	case err != nil:
		return experiment.Run{}, err
	case len(found) == 0:
		return experiment.Run{}, fmt.Errorf("%w: no run has id or uuid %q (see exp runs)", ErrRunNotFound, ref)
	case len(found) > 1:
		return experiment.Run{}, fmt.Errorf("%w: uuid prefix %q matches more than one run", ErrRunNotFound, ref)
	}
	return found[0], nil
}

// Reproductions returns the runs in this file whose Reproduces is exactly
// uuid (pass a run's UUID as read back; exp writes them lowercase), oldest
// first; none for an empty uuid. A write-protected file from before
// 0003_reproduces holds none.
func (db *DB) Reproductions(ctx context.Context, uuid string) ([]experiment.Run, error) {
	if uuid == "" || !db.hasColumnsOf(3) {
		return nil, nil
	}
	runs, err := db.queryRuns(ctx, `WHERE r.reproduces = ? ORDER BY r.id`, uuid)
	if err != nil {
		return nil, db.fail("reproductions of "+uuid, err)
	}
	return runs, nil
}

func firstRun(found []experiment.Run, err error) (experiment.Run, error) {
	if err != nil {
		return experiment.Run{}, err
	}
	return found[0], nil
}

// queryRuns selects runs with the given WHERE/ORDER tail, deriving
// StatusAbandoned at db.Now().
func (db *DB) queryRuns(ctx context.Context, tail string, args ...any) ([]experiment.Run, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+db.runColumns()+` FROM runs r `+tail, args...)
	if err != nil {
		return nil, db.fail("read runs", err)
	}
	defer rows.Close()
	var out []experiment.Run
	now := db.Now()
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, db.fail("read runs", err)
		}
		if abandoned(r, now) {
			r.Status = experiment.StatusAbandoned
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, db.fail("read runs", err)
	}
	return out, nil
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
