package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/store"
	"github.com/urfave/cli/v2"
)

// Process invocations (the experiment file's `invocations: N`): exp run,
// or exp run --resume, creates or takes the run as usual, then runs the
// steps of each invocation K = 0 .. N-1 (experiment.NewPlan) in a fresh
// exp process of its own, one after the other, never two at once (they
// would disturb each other's timing):
//
//	exp run --resume RUN --invocation K --db FILE
//
// --invocation is hidden from --help: it is this internal protocol, not a
// user's command. The child attaches to the run (store.AttachRun) without
// claiming it, runs the missing steps of invocation K with the kernel as
// process K runs it (experiment.KernelInProcess), commits each trial, and
// writes one line per finished step on stdout, "SEQ ok|failed|timedout|
// skipped", which the parent reads for its progress and its count. The
// parent keeps the heartbeat, forwards a stop signal to the child (which
// sits in its own process group, so that a terminal's Ctrl-C reaches only
// the parent, once; invocationProcAttr), and records how the run ended.
// On Linux a child whose parent was killed gets SIGTERM and stops too.

// invocationSteps runs steps of plan, each invocation's in a child exp of
// its own (see above), in invocation order, and returns what the children
// did. A child that fails ends the run with its error; a stop signal or
// --max-duration is forwarded to the running child as SIGTERM (or the
// signal that stopped exp), after which no further child starts.
func invocationSteps(c *cli.Context, rec *store.Recorder, plan *experiment.Plan, steps []experiment.Step, prog *progress) (experiment.Summary, error) {
	var sum experiment.Summary
	exe, err := os.Executable()
	if err != nil {
		return sum, fmt.Errorf("invocations: find exp's own executable: %w", err)
	}
	n := plan.Config.NumInvocations()
	for k := range n {
		ks := experiment.InvocationSteps(steps, k)
		if len(ks) == 0 {
			continue
		}
		if c.Context.Err() != nil {
			return sum, experiment.Stopped(c.Context)
		}
		if err := runInvocation(c, exe, rec, k, n, len(ks), len(steps), &sum, prog); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// runInvocation runs the child exp of invocation k of n, which has todo
// steps to run, adding what it reports to sum.
func runInvocation(c *cli.Context, exe string, rec *store.Recorder, k, n, todo, total int, sum *experiment.Summary, prog *progress) error {
	args := []string{"run", "--resume", strconv.FormatInt(rec.RunID, 10), "--invocation", strconv.Itoa(k), "--db", rec.DBPath()}
	if v, ok := c.Generic("quiet-machine").(*optionalDuration); ok && v.set {
		args = append(args, "--quiet-machine="+v.d.String())
	}
	cmd := exec.Command(exe, args...)
	cmd.Stderr = c.App.ErrWriter
	cmd.SysProcAttr = invocationProcAttr()
	// Linux sends Pdeathsig when the thread that started the child exits,
	// not the process: keep this goroutine on that thread until the child
	// is waited for.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("invocation %d: %w", k, err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("invocation %d: start %s: %w", k, exe, err)
	}
	if !c.Bool("quiet") {
		prog.note(fmt.Sprintf("invocation %d (%d of %d): process %d runs %d trials", k, k+1, n, cmd.Process.Pid, todo))
	}
	// Forward a stop to the child, once.
	waited := make(chan struct{})
	go func() {
		select {
		case <-c.Context.Done():
			// SIGTERM for --max-duration: a background job (exp run ... &)
			// starts with SIGINT ignored, and its children inherit that.
			sig := syscall.SIGTERM
			if cause, ok := context.Cause(c.Context).(signalCause); ok {
				sig = cause.sig
			}
			_ = cmd.Process.Signal(sig)
		case <-waited:
		}
	}()
	readErr := readInvocation(out, sum, func() { prog.update(sum.Trials+sum.Skipped, total) })
	err = cmd.Wait()
	close(waited)
	switch {
	case c.Context.Err() != nil:
		return experiment.Stopped(c.Context)
	case err != nil:
		return fmt.Errorf("invocation %d (process %d): %w", k, cmd.Process.Pid, err)
	case readErr != nil:
		return fmt.Errorf("invocation %d (process %d): %w", k, cmd.Process.Pid, readErr)
	}
	return nil
}

// readInvocation reads a child's report lines, "SEQ ok|failed|timedout|
// skipped", into sum, calling update after each.
func readInvocation(r io.Reader, sum *experiment.Summary, update func()) error {
	sc := bufio.NewScanner(r)
	var bad error
	for sc.Scan() {
		_, what, _ := strings.Cut(sc.Text(), " ")
		switch what {
		case "ok":
			sum.Trials++
		case "failed":
			sum.Trials++
			sum.Failed++
		case "timedout":
			sum.Trials++
			sum.TimedOut++
		case "skipped":
			sum.Skipped++
		default:
			bad = cmp.Or(bad, fmt.Errorf("unexpected report line %q", sc.Text()))
			continue
		}
		update()
	}
	return cmp.Or(bad, sc.Err())
}

// cmdInvocation is the child's side: exp run --resume RUN --invocation K.
// It runs the steps of invocation K that the run still lacks, then exits;
// the exp that started it decides the run's outcome.
func cmdInvocation(c *cli.Context) error {
	k := c.Int("invocation")
	db, err := store.OpenExistingForWrite(c.Context, dbPath(c, ""))
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := db.FindRun(c.Context, c.String("resume"))
	if err != nil {
		return err
	}
	cfg, err := experiment.Parse(r.ConfigPath, []byte(r.ConfigYAML))
	if err != nil {
		return fmt.Errorf("run %d's stored config no longer parses with this exp: %w", r.ID, err)
	}
	if n := cfg.NumInvocations(); k < 0 || k >= n {
		return usagef("--invocation must be from 0 to %d for run %d, got %d", n-1, r.ID, k)
	}
	plan := experiment.NewPlan(cfg, r.Seed).Restrict(r.Shard)
	rec, err := db.AttachRun(c.Context, r.ID)
	if err != nil {
		return err
	}
	missing, _, refs, _, err := resumeSteps(c, db, r, plan) // no Stopper: Parse refuses invocations with adaptive repeats
	if err != nil {
		return err
	}
	steps := experiment.InvocationSteps(missing, k)
	labels, err := db.InvocationLabels(c.Context, r.ID)
	if err != nil {
		return err
	}
	label := plan.ProcessLabel(k, labels) // k, or a new label when continuing k
	out, stderr := c.App.Writer, c.App.ErrWriter
	prog := newProgress(stderr, true, len(steps))
	rec.OnBusy = func(b store.Busy) { prog.note(b.String()) }
	runner := &experiment.Runner{Kernel: experiment.KernelInProcess(cfg.NewKernel(), r.Seed, label), References: refs, Quiet: quietGuard(c, prog)}
	runner.Skip = func(sk experiment.SkippedTrial) error {
		prog.note(fmt.Sprintf("trial %d skipped: %s", sk.Seq, sk.Reason))
		if err := rec.AddSkipped(c.Context, sk); err != nil {
			return err
		}
		_, err := fmt.Fprintf(out, "%d skipped\n", sk.Seq)
		return err
	}
	runner.Warn = func(msg string) { prog.note("warning: " + msg) }
	start := time.Now()
	_, err = runner.Run(c.Context, plan, steps, func(t experiment.Trial) error {
		t.Invocation = label
		if err := rec.AddTrial(c.Context, t); err != nil {
			return err
		}
		what := "ok"
		switch {
		case t.TimedOut:
			what = "timedout"
		case !t.OK:
			what = "failed"
		}
		_, err := fmt.Fprintf(out, "%d %s\n", t.Seq, what)
		return err
	})
	if errors.Is(err, experiment.ErrInterrupted) {
		// The parent says how the run ended; this child only exits 130.
		return silentError{interruptedError{fmt.Sprintf("invocation %d of run %d interrupted after %s", k, r.ID, time.Since(start).Round(time.Millisecond))}}
	}
	return err
}
