// Command exp runs scaling experiments, keeps every trial in SQLite, and
// fits the laws of scaling to them.
//
// An experiment file (YAML) names a kernel, input ranges, worker counts,
// schedules and repeats. The primes kernel tests a range of integers by
// trial division (primes-fast: the same answers, faster); the synthetic
// kernel spends a known serial and parallel time, sleeping (concurrency) or
// spinning on the CPU (parallelism). With scaling: weak, the work grows
// with the workers (Gustafson). Kernel command runs any program once per
// trial, without a shell, substituting {workers} (and {input}, one cell per
// input) into its argv, and times it as a child process: wall time to exit,
// and CPU time and peak memory from wait4; its stdout is hashed and must
// not change with the workers. exp expands the file into a matrix of
// cells, runs every cell's trials in a seeded random order, checks each
// trial's answer against an independent oracle, and commits each trial to
// a SQLite file as it finishes.
//
// exp report turns the trials into medians with confidence intervals,
// speedups and efficiencies, and fits per range and schedule Amdahl's law,
// S(p) = 1 / (B + (1-B)/p), with intervals for B and the ceiling 1/B; the
// Karp-Flatt serial fraction and its trend; Gunther's Universal
// Scalability Law with its peak, and which of the two the data support;
// and, for weak scaling, Gustafson's law. exp fit fits the same models to
// a CSV of measurements from elsewhere, with no database.
//
// Usage:
//
//	exp run experiments.yaml              # run the matrix into exp.db
//	exp run experiments.yaml --db x.db    # flags may follow the file
//	exp run experiments.yaml --dry-run    # the matrix, the order and an estimate; nothing runs
//	exp run experiments.yaml --max-duration 2h --quiet-machine=1m   # bound the run; wait for a quiet machine
//	exp run examples/weak-scaling.yaml    # work grows with the workers
//	exp run --resume 3                    # finish run 3 after Ctrl-C or a crash
//	exp report                            # latest run as a table
//	exp report --format csv --run 3       # one run as CSV (or json, markdown)
//	exp report --format benchfmt --run 3  # each trial as a Go benchmark line, for benchstat
//	exp report --format html -o r.html    # one self-contained page with the plots
//	exp report --confidence 0.9           # 90% intervals
//	exp report --exclude-contended        # without trials that other processes disturbed
//	exp report --plot speedup.svg         # also draw the speedups and fitted laws (.svg or .png)
//	exp runs                              # list the runs in the database
//	exp show 3                            # one run's record (default: latest)
//	exp export > trials.csv               # every trial of every run, one row each, for pandas or R
//	exp export --run 3 --format json -o run3.json   # one run's trials as a JSON array (also jsonl)
//	exp fit data.csv --x procs --y time   # fit Amdahl and the USL to a CSV
//	exp reproduce 3                       # re-run run 3's stored config and seed, and compare
//	exp compare 3 4                       # two runs, cell by cell, as benchstat compares
//	exp compare 3 4 --plot both.png       # and both runs' speedups on one plot
//	exp check --expect 'b <= 0.05'        # a scaling gate: exit 0 pass, 4 fail, 5 inconclusive
//	exp suggest --max-workers 16          # where to measure next: workers and repeats that narrow B
//	exp merge all.db a.db b.db            # copy the runs of a.db and b.db into all.db
//	exp run experiments.yaml --shard 1/4  # part 1 (from 0) of 4 of the matrix, into exp-shard-1-of-4.db
//	exp slurm submit experiments.yaml --shards 4 --wait   # a Slurm job array, one shard per task, merged
//	exp kernel primes --count 1000 -w 2   # one in-process run of the primes kernel: its answer on one line
//	exp run examples/sort-parallel.yaml   # kernel command: time any program, one process per trial
//
// exp run writes to --db, then $EXP_DB, then the experiment file's database
// key, then exp.db in the current directory; exp report, exp runs,
// exp show and exp export read --db, then $EXP_DB, then exp.db. exp merge
// copies runs from other exp files (other machines, say) into one, keyed
// by UUID: merging a file twice adds nothing, and a UUID held with
// different content is an error that writes nothing.
//
// SIGINT (Ctrl-C), SIGTERM and SIGHUP (a closed terminal) stop a run in
// order: no new trial starts, every finished trial is kept, the run is
// marked interrupted, and exp prints the command that resumes it. A second
// SIGINT or SIGTERM exits at once; the file stays consistent, since each
// trial is committed in a transaction of its own. While it runs, exp writes
// a heartbeat into the run every 2 seconds ($EXP_HEARTBEAT, a duration,
// changes it); a run still marked running whose heartbeat is more than
// three beats old is shown as abandoned (its exp was killed, or its machine
// went down). exp run --resume RUN goes on with an interrupted, abandoned
// or failed run from its stored config and seed, running only the trials
// it lacks, on the host that started it (or any, with --any-host).
//
// Exit status: 0 on success, 1 on a runtime failure (including a trial
// that found a wrong answer), 2 on bad input (experiment file, CSV file,
// flags, database, a run that cannot be resumed), 3 when exp reproduce
// finds the result not reproduced, and 128 + the signal's number after a
// stop signal: 130 for SIGINT (and when --max-duration passes), 143 for
// SIGTERM, 129 for SIGHUP. An interrupted run keeps every finished trial
// and is marked interrupted. A trial past the file's timeout is stored as
// timed out, and the run goes on.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/host"
	"github.com/exp-tool/exp/scaling"
	"github.com/exp-tool/exp/store"
)

func main() {
	// A hidden knob for tests: how long a write waits for another
	// process's lock before exp retries it (store.BusyTimeout).
	if d, err := time.ParseDuration(os.Getenv("EXP_BUSY_TIMEOUT")); err == nil && d > 0 {
		store.BusyTimeout = d
	}
	ctx, stop := handleSignals(os.Stderr, os.Exit)
	// A closed stdout (exp export | head) makes writes fail with EPIPE
	// instead of killing exp, so that it closes its database as it returns.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	err := run(ctx, os.Args, os.Stdout, os.Stderr)
	code := exitCode(err)
	if code == exitInterrupted {
		code = interruptStatus(context.Cause(ctx))
	}
	stop()
	var quiet silentError
	if err != nil && code != exitBrokenPipe && !errors.As(err, &quiet) {
		fmt.Fprintln(os.Stderr, "exp: "+oneLine(err))
	}
	writePeakRSS()
	os.Exit(code)
}

// oneLine renders err on one line: errors.Join puts a line break between
// the errors it joins.
func oneLine(err error) string {
	return strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")
}

// silentError is an outcome that another exp reports: a process
// invocation's child, stopped, exits with the status but says nothing, as
// the exp that started it says how the run ended.
type silentError struct{ err error }

// Error returns the underlying message.
func (e silentError) Error() string { return e.err.Error() }

// Unwrap returns the underlying error.
func (e silentError) Unwrap() error { return e.err }

// usageError marks bad flags or arguments (exit status 2).
type usageError struct{ err error }

// Error returns the underlying message.
func (e usageError) Error() string { return e.err.Error() }

// Unwrap returns the underlying error.
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// exitCode maps an error from run to the process exit status; an
// interrupt is exitInterrupted, which main refines by the signal
// (interruptStatus).
func exitCode(err error) int {
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, experiment.ErrInterrupted), errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.Is(err, errNotReproduced):
		return exitNotReproduced
	case errors.Is(err, errCheckFailed):
		return exitCheckFailed
	case errors.Is(err, errCheckInconclusive):
		return exitCheckInconclusive
	case errors.Is(err, syscall.EPIPE):
		return exitBrokenPipe
	case errors.As(err, &ue), errors.Is(err, experiment.ErrConfig), errors.Is(err, store.ErrBadInput), errors.Is(err, scaling.ErrBadCSV):
		return 2
	}
	return 1
}

// exitBrokenPipe is the exit status when the reader of exp's output went
// away: 128 + SIGPIPE, as a shell reports a process that SIGPIPE killed;
// exp says nothing then.
const exitBrokenPipe = 128 + int(syscall.SIGPIPE)

// run is the whole program: it parses args (args[0] is the program name),
// runs the command, and returns its error for main to report.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if err := heartbeatFromEnv(); err != nil {
		return err
	}
	app := newApp(stdout, stderr)
	args, err := hoistFlags(app, args)
	if err != nil {
		return err
	}
	return app.RunContext(ctx, args)
}

// version describes this build: module version, VCS revision, Go version.
func version() string {
	v, rev, modified := host.BuildInfo()
	if v == "" {
		v = "(unknown)"
	}
	if rev != "" {
		v += " " + rev
		if modified {
			v += "+dirty"
		}
	}
	return v + " " + runtime.Version()
}
