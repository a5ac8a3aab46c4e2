package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/store"
	"github.com/urfave/cli/v2"
)

// hookRun is one exp's part of a run's hooks: the setup it ran, and the
// cleanup it owes, run once.
type hookRun struct {
	hooks   *experiment.Hooks // nil without hooks
	cleaned bool              // whether cleanup has run (or there is none)
}

// runSetup runs cfg's setup hook, if any, before anything is stored: a
// failing setup fails the run with no run stored and no cleanup run. The
// returned hookRun's cleanup must run once the trials are over.
func runSetup(c *cli.Context, cfg *experiment.Config) (*hookRun, error) {
	hr := &hookRun{hooks: cfg.Hooks}
	h := cfg.Hooks
	if h == nil || len(h.Setup) == 0 {
		return hr, nil
	}
	res, err := experiment.RunHook(c.Context, h.Setup, h.Dir, nil)
	if errors.Is(err, experiment.ErrInterrupted) {
		return nil, interruptedError{fmt.Sprintf("interrupted during the setup hook (%s): no trial ran and no run was stored", experiment.ShellJoin(h.Setup))}
	}
	if err != nil {
		return nil, fmt.Errorf("setup hook: %w; no trial ran and no run was stored", err)
	}
	if res.ExitStatus != 0 {
		return nil, fmt.Errorf("%s (%s in %s); no trial ran and no run was stored", res.Failed("setup hook"), experiment.ShellJoin(h.Setup), h.Dir)
	}
	return hr, nil
}

// cleanup runs the cleanup hook once, even after an interrupted or failed
// run (Ctrl-C does not cut it short), and records its exit status on rec's
// run if rec is not nil. A failure is a warning on stderr, never the
// run's error.
func (hr *hookRun) cleanup(c *cli.Context, rec *store.Recorder) {
	if hr == nil || hr.cleaned || hr.hooks == nil || len(hr.hooks.Cleanup) == 0 {
		return
	}
	hr.cleaned = true
	h := hr.hooks
	res, err := experiment.RunHook(context.WithoutCancel(c.Context), h.Cleanup, h.Dir, nil)
	if err != nil {
		fmt.Fprintf(c.App.ErrWriter, "warning: cleanup hook: %v\n", err)
		return
	}
	if res.ExitStatus != 0 {
		fmt.Fprintf(c.App.ErrWriter, "warning: %s (%s in %s)\n", res.Failed("cleanup hook"), experiment.ShellJoin(h.Cleanup), h.Dir)
	}
	if rec != nil {
		if err := rec.SetCleanupStatus(c.Context, res.ExitStatus); err != nil {
			fmt.Fprintf(c.App.ErrWriter, "warning: cleanup hook exited %d, but it could not be recorded: %v\n", res.ExitStatus, err)
		}
	}
}

// hookNotes adds to the line that ends a run what its hooks did.
func hookNotes(sum experiment.Summary) []string {
	var notes []string
	if sum.Skipped > 0 {
		notes = append(notes, fmt.Sprintf("%d skipped because prepare failed, in no statistic", sum.Skipped))
	}
	if sum.ConcludeFailed > 0 {
		notes = append(notes, fmt.Sprintf("conclude failed after %d", sum.ConcludeFailed))
	}
	return notes
}

// skippedWarnings are a report's run-level warnings about rec's skipped
// trials, one per prepare exit status: "3 trials skipped: prepare failed
// (exit 3)".
func skippedWarnings(skipped []experiment.SkippedTrial) []error {
	var out []error
	count := map[int]int{}
	var order []int
	for _, sk := range skipped {
		if count[sk.PrepareStatus] == 0 {
			order = append(order, sk.PrepareStatus)
		}
		count[sk.PrepareStatus]++
	}
	for _, st := range order {
		n := count[st]
		noun := "trials"
		if n == 1 {
			noun = "trial"
		}
		out = append(out, fmt.Errorf("%d %s skipped: prepare failed (exit %d); not measured, in no statistic", n, noun, st))
	}
	return out
}

// hookFailureWarnings are a report's run-level warnings about the run's
// failed conclude and cleanup hooks, which exp run only printed as they
// happened: "2 trials' conclude hook failed (exit 3); the trials are
// measured and kept", "the cleanup hook failed (exit 4)".
func hookFailureWarnings(hf store.HookFailures) []error {
	var out []error
	for _, sc := range hf.Conclude {
		noun := "trials'"
		if sc.Trials == 1 {
			noun = "trial's"
		}
		out = append(out, fmt.Errorf("%d %s conclude hook failed (exit %d); the trials are measured and kept", sc.Trials, noun, sc.Status))
	}
	if hf.Cleanup != 0 {
		out = append(out, fmt.Errorf("the cleanup hook failed (exit %d): whatever it should have undone after the run may still be there", hf.Cleanup))
	}
	return out
}
