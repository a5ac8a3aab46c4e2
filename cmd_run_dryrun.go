package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/host"
	"github.com/urfave/cli/v2"
)

// dryRunOrder is how many trials of the order exp run --dry-run prints.
const dryRunOrder = 12

// dryRunBudget is how long exp run --dry-run may time the kernel.
var dryRunBudget = 500 * time.Millisecond

// dryRun is exp run --dry-run: it prints the matrix of plan, the first
// trials in the seeded order and an estimate of the time on stdout. It
// runs no trial and opens no database.
func dryRun(c *cli.Context, plan *experiment.Plan, limit time.Duration) error {
	cpus := host.Probe().UsableCPUs()
	est, err := experiment.EstimatePlan(c.Context, plan, cpus, dryRunBudget)
	if err != nil {
		return err
	}
	cfg, w := plan.Config, c.App.Writer
	fmt.Fprintf(w, "dry run of %s: nothing runs and no database is opened (a run would write to %s)\n", cfg.File, shardDBPath(c, dbPath(c, cfg.Database), plan.Shard))
	fmt.Fprintf(w, "%q: kernel %s, %s scaling, seed %d", cfg.Name, kernelText(cfg), cfg.Scaling, plan.Seed)
	if !cfg.HasSeed {
		fmt.Fprint(w, " (the file sets none: a run picks its own, so its order differs)")
	}
	fmt.Fprintln(w)
	if plan.Shard.Sharded() {
		fmt.Fprintf(w, "shard %s: %s of the matrix's %d (MATRIX is a cell's place in the whole matrix), the seed's order restricted to them\n",
			plan.Shard, count(len(plan.Cells), "cell"), plan.MatrixCells)
	}
	repeats, upTo := fmt.Sprintf("%d repeats", cfg.Repeats), ""
	if a := cfg.Adaptive; a != nil {
		// The most: cells stop once precise (README: Repeat until precise).
		repeats, upTo = "repeats "+a.String(), "up to "
	}
	warmups := fmt.Sprintf("%d warmup", cfg.Warmup)
	if n := cfg.NumInvocations(); n > 1 {
		warmups = fmt.Sprintf("%d processes x %d warmup", n, cfg.Warmup)
	}
	cells := count(len(plan.Cells), "cell")
	if plan.Shard.Sharded() {
		// The product is the whole matrix; the trials are the shard's.
		cells = fmt.Sprintf("%s, %d in shard %s", count(plan.MatrixCells, "cell"), len(plan.Cells), plan.Shard)
	}
	fmt.Fprintf(w, "matrix: %s x %s x %s = %s; %s + %s = %s%s each; %s%s\n",
		count(len(cfg.Ranges), "range"), count(len(cfg.Schedules), "schedule"), count(len(cfg.Workers), "worker count"),
		cells, repeats, warmups, upTo, count(cfg.StepsPerCell(), "trial"), upTo, count(len(plan.Steps), "trial"))
	if n := cfg.NumInvocations(); n > 1 {
		fmt.Fprintf(w, "invocations: %d fresh exp processes, one after the other; each runs its own warmups of every cell, then its share of the repeats (INV below)\n", n)
	}
	fmt.Fprintln(w)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	matrix, head := func(int) string { return "" }, ""
	if plan.Shard.Sharded() {
		matrix = func(i int) string { return fmt.Sprintf("%d\t", plan.Matrix[i]) }
		head = "MATRIX\t"
	}
	fmt.Fprintln(tw, "CELL\t"+head+"RANGE\tSCHEDULE\tWORKERS\tTRIALS\tEST. PER TRIAL")
	for _, cl := range plan.Cells {
		fmt.Fprintf(tw, "%d\t%s%s\t%s\t%d\t%d\t%s\n", cl.Index, matrix(cl.Index), rangeText(cfg, cl.Range), cl.Schedule, cl.Workers, cfg.StepsPerCell(), perTrialText(cfg, est.PerCell[cl.Index]))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nthe first %d of %d trials, in the order of seed %d:\n", min(dryRunOrder, len(plan.Steps)), len(plan.Steps), plan.Seed)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	inv, invHead := func(experiment.Step) string { return "" }, ""
	if cfg.NumInvocations() > 1 {
		inv = func(st experiment.Step) string { return fmt.Sprintf("%d\t", st.Invocation) }
		invHead = "INV\t"
	}
	fmt.Fprintln(tw, "SEQ\t"+invHead+"CELL\tRANGE\tSCHEDULE\tWORKERS\tREP\t")
	for _, st := range plan.Steps[:min(dryRunOrder, len(plan.Steps))] {
		cl := plan.Cells[st.Cell]
		kind := ""
		if st.Warmup {
			kind = "warmup"
		}
		fmt.Fprintf(tw, "%d\t%s%d\t%s\t%s\t%d\t%d\t%s\n", st.Seq, inv(st), st.Cell, rangeText(cfg, cl.Range), cl.Schedule, cl.Workers, st.Rep, kind)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if cfg.Command != nil {
		return dryRunCommands(w, plan)
	}
	writeEstimate(w, c, plan, est, cpus, limit)
	return nil
}

// perTrialText is a cell's EST. PER TRIAL: its estimate d, or, for kernel
// command, which cannot be timed ahead, "-" or "up to" its timeout.
func perTrialText(cfg *experiment.Config, d time.Duration) string {
	switch {
	case cfg.Command == nil:
		return short(d)
	case d > 0:
		return "up to " + short(d) + " (timeout)"
	default:
		return "-"
	}
}

// dryRunCommands lists the command line and environment of each cell, as
// its trials would run them, in place of an estimate: exp cannot time a
// program ahead of running it.
func dryRunCommands(w io.Writer, plan *experiment.Plan) error {
	m := plan.Config.Command
	fmt.Fprintf(w, "each trial runs, without a shell, in %s (check %s):\n", m.Dir, m.Check)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CELL\tCOMMAND\tENVIRONMENT")
	for _, cl := range plan.Cells {
		fmt.Fprintf(tw, "%d\t%s\t%s\n", cl.Index, experiment.ShellJoin(m.ArgvFor(cl)), strings.Join(m.EnvFor(cl), " "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nestimate: none for kernel command (exp does not time a program before the run)")
	return nil
}

// writeEstimate says how long the run should take, and what its limits
// would do.
func writeEstimate(w io.Writer, c *cli.Context, plan *experiment.Plan, est experiment.Estimate, cpus int, limit time.Duration) {
	how := "from the file's durations"
	if est.Sampled > 0 {
		how = fmt.Sprintf("from timing the kernel on %d numbers on one core", est.Sampled)
	}
	total := est.Total()
	fmt.Fprintf(w, "estimate: about %s on %d usable CPUs: %s for the oracle, then %s of trials (%s, plus %s per trial of overhead)\n",
		short(total), cpus, short(est.Oracle), short(est.Trials), how, short(experiment.TrialOverhead))
	if v, ok := c.Generic("quiet-machine").(*optionalDuration); ok && v.set {
		wait := time.Duration(len(plan.Steps)) * experiment.DefaultQuietWindow
		total += wait
		fmt.Fprintf(w, "--quiet-machine: at least %s more, %s per trial, up to %s per trial on a busy machine\n",
			short(wait), short(experiment.DefaultQuietWindow), experiment.ShortDuration(v.d))
	}
	if t := plan.Config.Timeout; t > 0 {
		n := 0
		for _, d := range est.PerCell {
			if d >= t {
				n++
			}
		}
		fmt.Fprintf(w, "timeout %s: %s expected to reach it\n", experiment.ShortDuration(t), count(n, "cell"))
	}
	if limit > 0 {
		if total <= limit {
			fmt.Fprintf(w, "--max-duration %s: the run should end within it\n", experiment.ShortDuration(limit))
			return
		}
		done, spent := 0, est.Oracle
		for _, st := range plan.Steps {
			if spent += est.PerCell[st.Cell] + experiment.TrialOverhead; spent > limit {
				break
			}
			done++
		}
		fmt.Fprintf(w, "--max-duration %s: it would stop the run after about %d of %d trials\n", experiment.ShortDuration(limit), done, len(plan.Steps))
	}
}

// kernelText names the kernel and what it does, as the report does.
func kernelText(cfg *experiment.Config) string {
	if m := cfg.Command; m != nil && cfg.Kernel == "command" {
		return "command (" + m.String() + ")"
	}
	if s := cfg.Synthetic; s != nil && cfg.Kernel == "synthetic" {
		return "synthetic (" + s.String() + ")"
	}
	return cfg.Kernel
}

// rangeText names a tested range: [start, +count), or for the synthetic
// kernel its parallel work as a duration.
func rangeText(cfg *experiment.Config, r experiment.Range) string {
	if m := cfg.Command; m != nil && cfg.Kernel == "command" {
		if int(r.Start) < len(m.Inputs) {
			return m.Inputs[r.Start]
		}
		return "-"
	}
	if cfg.Kernel == "synthetic" {
		return fmt.Sprintf("%v of work", time.Duration(r.Count)*experiment.SyntheticUnit)
	}
	return r.String()
}

// count renders "1 cell", "3 cells".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// short renders an estimated duration with 2-3 significant digits.
func short(d time.Duration) string {
	switch {
	case d >= time.Hour:
		d = d.Round(time.Minute)
	case d >= time.Minute:
		d = d.Round(time.Second)
	case d >= time.Second:
		d = d.Round(100 * time.Millisecond)
	case d >= time.Millisecond:
		d = d.Round(100 * time.Microsecond)
	default:
		d = d.Round(time.Microsecond)
	}
	return experiment.ShortDuration(d)
}
