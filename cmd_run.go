package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/host"
	"github.com/exp-tool/exp/store"
	"github.com/urfave/cli/v2"
)

func cmdRun(c *cli.Context) error {
	if c.IsSet("resume") {
		if c.IsSet("invocation") {
			return cmdInvocation(c) // a child of a run with invocations (cmd_run_invocations.go)
		}
		if c.IsSet("shard") || c.IsSet("shards") {
			return usageError{errShardWithResume}
		}
		return cmdResume(c)
	}
	if c.Bool("any-host") {
		return usagef("--any-host goes with --resume RUN (a new run always runs here)")
	}
	if c.NArg() != 1 {
		return usagef("run takes one experiment file, got %d arguments (try: exp run experiments.yaml)", c.NArg())
	}
	limit, err := maxDuration(c)
	if err != nil {
		return err
	}
	if err := checkQuietMachine(c); err != nil {
		return err
	}
	shard, from, err := runShard(c)
	if err != nil {
		return err
	}
	cfg, err := experiment.Load(c.Context, c.Args().First())
	if err != nil {
		return err
	}
	plan := experiment.NewPlan(cfg, chooseSeed(cfg)).Restrict(shard)
	if shard.Sharded() && !c.Bool("quiet") {
		fmt.Fprintf(c.App.ErrWriter, "shard %s (from %s): %d of the matrix's %d cells, balanced by estimated cost\n",
			shard, from, len(plan.Cells), plan.MatrixCells)
	}
	if c.Bool("dry-run") {
		return dryRun(c, plan, limit)
	}
	if limit > 0 {
		var cancel context.CancelFunc
		c.Context, cancel = context.WithTimeoutCause(c.Context, limit, &experiment.TimeLimit{Limit: limit})
		defer cancel()
	}
	if err := plan.ReadInputs(); err != nil {
		return err
	}
	// The oracle runs before the database is touched, so that Ctrl-C here
	// leaves nothing behind.
	refs, err := references(c, plan)
	if err != nil {
		return err
	}
	hr, err := runSetup(c, cfg)
	if err != nil {
		return err
	}
	defer hr.cleanup(c, nil) // if no run was stored
	db, err := store.Open(c.Context, shardDBPath(c, dbPath(c, cfg.Database), shard))
	var limitErr *experiment.TimeLimit
	if errors.As(context.Cause(c.Context), &limitErr) && err != nil {
		// A new file is made whole or not at all, so nothing is left.
		return interruptedError{fmt.Sprintf("%s while exp opened the database, before the first trial: no run was stored", limitErr)}
	}
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := execute(c, db, plan, refs, "", hr)
	if err != nil {
		return err
	}
	return gateRun(c, db, r, plan)
}

// execute runs plan into db, checking every trial against refs, with
// progress on stderr, and records how the run ended. reproduces is the
// UUID of the run it reproduces, or "". It returns the new run (ID 0 if
// none was created) and the outcome as finishRun reports it.
func execute(c *cli.Context, db *store.DB, plan *experiment.Plan, refs map[experiment.Range]experiment.Reference, reproduces string, hr *hookRun) (experiment.Run, error) {
	ctx := c.Context
	r, err := experiment.NewRun(plan, host.Probe(), time.Now())
	if err != nil {
		return experiment.Run{}, err
	}
	r.Reproduces = reproduces
	r.Batch = experiment.ThisBatchJob(r.Host.Hostname)
	rec, err := db.CreateRun(ctx, &r, plan, refs)
	if err != nil {
		return experiment.Run{}, err
	}
	prog := announce(c, r, plan, refs, db.Path())
	return r, runSteps(c, rec, r, plan, plan.Steps, refs, prog, experiment.Summary{}, hr, nil)
}

// runSteps runs steps of plan into rec, checking every trial against refs,
// with progress and a heartbeat, and records how the run ended. prior
// counts the run's trials stored before this exp started (by the
// invocations it resumes). Between the trials it runs the prepare and
// conclude hooks (the Runner), and after them hr's cleanup. stop is the
// adaptive stopping of a resumed run, fed the stored trials; nil for a new
// run (the Runner starts its own).
func runSteps(c *cli.Context, rec *store.Recorder, r experiment.Run, plan *experiment.Plan, steps []experiment.Step,
	refs map[experiment.Range]experiment.Reference, prog *progress, prior experiment.Summary, hr *hookRun, stop *experiment.Stopper) error {
	rec.OnBusy = func(b store.Busy) { prog.note(b.String()) }
	runner := &experiment.Runner{Kernel: experiment.KernelInProcess(plan.Config.NewKernel(), plan.Seed, 0), References: refs, Progress: prog.update, Quiet: quietGuard(c, prog), Stop: stop}
	// A finished trial is committed even if Ctrl-C arrives during the
	// write; Ctrl-C only cuts short the waits for another process's lock.
	save := func(t experiment.Trial) error { return rec.AddTrial(c.Context, t) }
	runner.Skip = func(sk experiment.SkippedTrial) error {
		prog.note(fmt.Sprintf("trial %d skipped: %s", sk.Seq, sk.Reason))
		return rec.AddSkipped(c.Context, sk)
	}
	runner.Warn = func(msg string) { prog.note("warning: " + msg) }
	stopHeartbeat := rec.StartHeartbeat(store.HeartbeatInterval)
	start := time.Now()
	run := runner.Run
	if plan.Config.NumInvocations() > 1 {
		// Each invocation's steps in a child exp of its own (cmd_run_invocations.go).
		run = func(context.Context, *experiment.Plan, []experiment.Step, func(experiment.Trial) error) (experiment.Summary, error) {
			return invocationSteps(c, rec, plan, steps, prog)
		}
	}
	sum, err := run(c.Context, plan, steps, save)
	prog.finish()
	hr.cleanup(c, rec)
	stopHeartbeat() // before Finish: no heartbeat follows the outcome
	return finishRun(c, rec, r, prior, sum, len(plan.Steps), err, time.Since(start))
}

// chooseSeed is the file's seed, or a random one (recorded with the run).
func chooseSeed(cfg *experiment.Config) int64 {
	if cfg.HasSeed {
		return cfg.Seed
	}
	return rand.Int64()
}

// announce says what the run will do, unless --quiet, and returns its
// progress reporter.
func announce(c *cli.Context, r experiment.Run, plan *experiment.Plan, refs map[experiment.Range]experiment.Reference, path string) *progress {
	quiet, stderr := c.Bool("quiet"), c.App.ErrWriter
	if !quiet {
		trials := fmt.Sprintf("%d trials", len(plan.Steps))
		if a := plan.Config.Adaptive; a != nil {
			trials = fmt.Sprintf("up to %d trials (repeats %s: in rounds, each cell until its median is within ±%s)", len(plan.Steps), a, experiment.Percent(a.Precision))
		}
		fmt.Fprintf(stderr, "run %d (%s): %d cells, %s, seed %d -> %s\n", r.ID, r.UUID, len(plan.Cells), trials, plan.Seed, path)
		fmt.Fprintln(stderr, oracleLine(plan, refs))
	}
	return newProgress(stderr, quiet, len(plan.Steps))
}

// oracleLine says what every trial will be checked against.
func oracleLine(plan *experiment.Plan, refs map[experiment.Range]experiment.Reference) string {
	cfg := plan.Config
	if s := cfg.Synthetic; s != nil && cfg.Kernel == "synthetic" {
		per := "shared by the workers"
		if cfg.Scaling == experiment.ScalingWeak {
			per = "per worker"
		}
		return fmt.Sprintf("kernel synthetic, %s: serial %v once, then parallel %v %s; every trial is checked: "+
			"each %v unit done once, and neither the serial part nor any worker finishing early", s.Mode, s.Serial, s.Parallel, per, experiment.SyntheticUnit)
	}
	if m := cfg.Command; m != nil && cfg.Kernel == "command" {
		return fmt.Sprintf("kernel command %s (check %s): %s", m, m.Check, map[experiment.CheckMode]string{
			experiment.CheckStdout: "each input's trials must exit 0 and print what its first trial printed",
			experiment.CheckExit:   "every trial must exit 0",
			experiment.CheckNone:   "answers are not checked",
		}[m.Check])
	}
	var parts []string
	for _, r := range plan.Ranges() {
		if ref := refs[r]; ref.Source == experiment.SourceOracle {
			parts = append(parts, fmt.Sprintf("%s has %d primes", r, ref.Hits))
		} else {
			parts = append(parts, fmt.Sprintf("%s: no oracle, checked against its first trial", r))
		}
	}
	return "oracle (math/big, exact below 2^64): " + strings.Join(parts, "; ")
}

// interruptedError reports an interrupted run; it unwraps to
// experiment.ErrInterrupted (exit status 130).
type interruptedError struct{ msg string }

// Error returns the message.
func (e interruptedError) Error() string { return e.msg }

// Unwrap returns experiment.ErrInterrupted.
func (e interruptedError) Unwrap() error { return experiment.ErrInterrupted }

// finishRun records how the run ended and says so on stderr: sum is what
// this exp did, prior what the run held before it (see runSteps). The
// outcome is the whole run's: done only with every planned trial stored
// and none wrong. An interrupted run, or one stopped by an error, is told
// with the command that resumes it.
func finishRun(c *cli.Context, rec *store.Recorder, r experiment.Run, prior, sum experiment.Summary, planned int, runErr error, took time.Duration) error {
	all := experiment.Summary{Trials: prior.Trials + sum.Trials, Failed: prior.Failed + sum.Failed}
	status, msg := experiment.Conclude(all, planned, runErr)
	if err := rec.Finish(status, msg); errors.Is(err, store.ErrSuperseded) {
		// This exp's heartbeat stopped (a long lock, a machine too busy to
		// run it) and another exp resumed the run: the outcome is that one's.
		return fmt.Errorf("run %d: %w after this exp added %d trials (its heartbeat had stopped for more than %s); this exp stopped",
			r.ID, store.ErrSuperseded, sum.Trials, store.HeartbeatMisses*store.HeartbeatInterval)
	} else if err != nil {
		return errors.Join(runErr, err)
	}
	db := shellQuote(rec.DBPath())
	next := fmt.Sprintf("exp report --run %d --db %s", r.ID, db)
	resume := fmt.Sprintf("exp run --resume %d --db %s", r.ID, db)
	switch {
	case errors.Is(runErr, experiment.ErrStopped) && !errors.Is(runErr, experiment.ErrInterrupted):
		// Nobody interrupted it (exit status 1), but it can be finished later.
		return fmt.Errorf("run %d %s; kept %d finished trials (see %s)", r.ID, msg, sum.Trials, next)
	case status == experiment.StatusInterrupted:
		by := ""
		if cause, ok := context.Cause(c.Context).(signalCause); ok {
			by = " (" + signalName(cause.sig) + ")"
		}
		return interruptedError{fmt.Sprintf("run %d %s%s; kept %d finished trials (see %s). Resume it with: %s", r.ID, msg, by, all.Trials, next, resume)}
	case runErr != nil:
		return fmt.Errorf("run %d failed after %d trials: %w (kept %d finished trials; see %s; resume it with: %s)", r.ID, all.Trials, runErr, all.Trials, next, resume)
	case all.Failed > 0:
		return fmt.Errorf("run %d failed: %s (see %s)", r.ID, msg, next)
	}
	if c.Bool("quiet") {
		return nil
	}
	if prior.Trials > 0 {
		fmt.Fprintf(c.App.ErrWriter, "run %d done: %d more trials in %s%s, %d in all. Next: %s\n", r.ID, sum.Trials, took.Round(time.Millisecond), limitNotes(sum), all.Trials, next)
	} else {
		fmt.Fprintf(c.App.ErrWriter, "run %d done: %d trials in %s%s. Next: %s\n", r.ID, sum.Trials, took.Round(time.Millisecond), limitNotes(sum), next)
	}
	return nil
}
