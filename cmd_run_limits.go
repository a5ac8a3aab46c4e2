package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/host"
	"github.com/exp-tool/exp/report"
	"github.com/urfave/cli/v2"
)

// DefaultQuietBound is how long --quiet-machine waits, at most, before
// each trial, when no duration is given.
var DefaultQuietBound = 30 * time.Second

// limitFlags are exp run's flags for time limits and the noise guard.
func limitFlags() []cli.Flag {
	return []cli.Flag{
		&cli.DurationFlag{Name: "max-duration", DefaultText: "none", Usage: "stop the run after `DURATION` (such as 2h or 30m), as Ctrl-C does: " +
			"finished trials are kept and the run is marked interrupted (exit status 130)"},
		&optionalFlag{&cli.GenericFlag{Name: "quiet-machine", Value: &optionalDuration{def: DefaultQuietBound},
			Usage: fmt.Sprintf("before each trial, wait until other processes keep at most %g CPUs busy, up to %s "+
				"(--quiet-machine=DURATION sets the bound), and record the wait", report.DefaultThresholds.MaxOtherCPU, experiment.ShortDuration(DefaultQuietBound))}},
		&cli.BoolFlag{Name: "dry-run", Usage: "check the file, print the matrix, the first trials in order and an estimate of the time; run nothing, open no database"},
	}
}

// maxDuration is exp run's --max-duration: 0 if not given.
func maxDuration(c *cli.Context) (time.Duration, error) {
	d := c.Duration("max-duration")
	if c.IsSet("max-duration") && d <= 0 {
		return 0, usagef("--max-duration must be a duration > 0 such as 2h or 30m, got %s", d)
	}
	return d, nil
}

// references computes the oracle answers of plan's ranges before the
// first trial, with progress on stderr once it takes a while.
func references(c *cli.Context, plan *experiment.Plan) (map[experiment.Range]experiment.Reference, error) {
	var total uint64
	for _, r := range plan.Ranges() {
		total += r.Count
	}
	prog := newOracleProgress(c.App.ErrWriter, c.Bool("quiet"), int(total))
	refs, err := experiment.ReferencesProgress(c.Context, plan.Config.NewKernel(), plan.Ranges(), func(done, total uint64) {
		prog.update(int(done), int(total))
	})
	prog.finish()
	var limit *experiment.TimeLimit
	if errors.As(err, &limit) {
		return nil, interruptedError{fmt.Sprintf("%s while the oracle computed the answers, before the first trial: no run was stored", limit)}
	}
	return refs, err
}

// quietGuard is the noise guard of --quiet-machine, reporting its waits
// through prog; nil without the flag.
func quietGuard(c *cli.Context, prog *progress) *experiment.Quiet {
	v, ok := c.Generic("quiet-machine").(*optionalDuration)
	if !ok || !v.set {
		return nil
	}
	th := report.DefaultThresholds
	return &experiment.Quiet{
		MaxOtherCPU: th.MaxOtherCPU,
		Resolution:  time.Duration(th.OtherCPUResolution * float64(time.Second)),
		Bound:       v.d,
		Waiting: func(other float64, waited time.Duration) {
			prog.waiting(fmt.Sprintf("waiting for a quiet machine: other processes keep %.2f CPUs busy (more than %g); waited %s of at most %s",
				other, th.MaxOtherCPU, round(waited), experiment.ShortDuration(v.d)))
		},
	}
}

// checkQuietMachine refuses --quiet-machine where the machine's CPU time
// cannot be read.
func checkQuietMachine(c *cli.Context) error {
	if v, ok := c.Generic("quiet-machine").(*optionalDuration); ok && v.set {
		if _, ok := host.SystemCPU(); !ok {
			return usagef("--quiet-machine needs /proc/stat, which cannot be read here (Linux only)")
		}
	}
	return nil
}

// limitNotes adds to the line that ends a done run what its limits did:
// trials that timed out, time spent waiting for a quiet machine.
func limitNotes(sum experiment.Summary) string {
	var notes []string
	if sum.TimedOut > 0 {
		notes = append(notes, fmt.Sprintf("%d timed out, in no statistic", sum.TimedOut))
	}
	if sum.QuietWaitNS > 0 {
		notes = append(notes, fmt.Sprintf("waited %s in all for a quiet machine", round(time.Duration(sum.QuietWaitNS))))
	}
	notes = append(notes, hookNotes(sum)...)
	if sum.Stopped > 0 {
		notes = append(notes, fmt.Sprintf("%d planned trials not needed: their cells were precise", sum.Stopped))
	}
	if len(notes) == 0 {
		return ""
	}
	return " (" + strings.Join(notes, "; ") + ")"
}

// optionalDuration is the value of a flag given alone (--quiet-machine,
// meaning def) or with a duration (--quiet-machine=2m). Go's flag package
// treats it as a boolean flag, so a separate word after it is not its value.
type optionalDuration struct {
	set bool          // whether the flag was given
	d   time.Duration // its duration
	def time.Duration // the duration of the flag given alone
}

// Set implements flag.Value: "true" (the flag alone) is def.
func (o *optionalDuration) Set(s string) error {
	switch s {
	case "true":
		o.set, o.d = true, o.def
		return nil
	case "false":
		o.set = false
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return errors.New("must be a duration > 0 such as 30s or 5m")
	}
	o.set, o.d = true, d
	return nil
}

// String implements flag.Value: the duration, or "" when not given.
func (o *optionalDuration) String() string {
	if o == nil || !o.set {
		return ""
	}
	return experiment.ShortDuration(o.d)
}

// IsBoolFlag tells Go's flag package that the flag may stand alone.
func (o *optionalDuration) IsBoolFlag() bool { return true }

// optionalFlag is a GenericFlag whose value is optional (an
// optionalDuration): the help shows it without a placeholder, and
// hoistFlags does not take the next word as its value.
type optionalFlag struct{ *cli.GenericFlag }

// TakesValue reports false: the value, if any, follows an "=".
func (f *optionalFlag) TakesValue() bool { return false }

// String renders the flag's help line.
func (f *optionalFlag) String() string { return cli.FlagStringer(f) }
