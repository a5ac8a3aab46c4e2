package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/host"
	"github.com/exp-tool/exp/store"
	"github.com/urfave/cli/v2"
)

// cmdResume is exp run --resume RUN [FILE]: it goes on with a stored run
// that did not finish, from the config and seed stored with it, running
// only the trials it lacks, in the seed's order.
func cmdResume(c *cli.Context) error {
	if c.NArg() > 1 {
		return usagef("run --resume takes at most one experiment file (checked against the stored one), got %d arguments", c.NArg())
	}
	limit, err := maxDuration(c)
	if err != nil {
		return err
	}
	if limit > 0 {
		var cancel context.CancelFunc
		c.Context, cancel = context.WithTimeoutCause(c.Context, limit, &experiment.TimeLimit{Limit: limit})
		defer cancel()
	}
	var file *experiment.Config
	if c.NArg() == 1 {
		if file, err = experiment.Load(c.Context, c.Args().First()); err != nil {
			return err
		}
	}
	fromFile := ""
	if file != nil {
		fromFile = file.Database
	}
	db, err := store.OpenExistingForWrite(c.Context, dbPath(c, fromFile))
	if err != nil {
		return err
	}
	defer db.Close()
	r, plan, err := resumable(c, db, file)
	if err != nil {
		return err
	}
	here := host.Probe().Hostname
	if here != r.Host.Hostname && !c.Bool("any-host") {
		return usagef("run %d was started on host %q, this is %q: resuming here would mix two machines in one run's fits (pass --any-host to resume anyway)",
			r.ID, r.Host.Hostname, here)
	}
	// Setup runs again, as for a new run: whatever it made may be gone.
	hr, err := runSetup(c, plan.Config)
	if err != nil {
		return err
	}
	defer hr.cleanup(c, nil)
	rec, err := db.ResumeRun(c.Context, r.ID, here)
	if err != nil {
		return err
	}
	// The trials its prepare hook skipped are run again, as missing.
	if err := rec.ClearSkipped(c.Context); err != nil {
		return finishRun(c, rec, r, experiment.Summary{}, experiment.Summary{}, len(plan.Steps), err, 0)
	}
	// Read what is stored only now that no other exp can add to the run.
	missing, prior, refs, stop, err := resumeSteps(c, db, r, plan)
	if err != nil {
		return finishRun(c, rec, r, prior, experiment.Summary{}, len(plan.Steps), err, 0)
	}
	prog := newProgress(c.App.ErrWriter, c.Bool("quiet"), len(missing))
	if !c.Bool("quiet") {
		upTo := ""
		if plan.Config.Adaptive != nil {
			upTo = "up to " // cells stop once precise
		}
		fmt.Fprintf(c.App.ErrWriter, "resuming run %d (%s, %q, seed %d): %s%d of %d trials to run -> %s\n",
			r.ID, r.UUID, r.Name, r.Seed, upTo, len(missing), len(plan.Steps), db.Path())
		fmt.Fprintln(c.App.ErrWriter, oracleLine(plan, refs))
	}
	if err := runSteps(c, rec, r, plan, missing, refs, prog, prior, hr, stop); err != nil {
		return err
	}
	return gateRun(c, db, r, plan)
}

// resumable finds the run --resume names and rebuilds its plan from the
// config and seed stored with it. The run must not be done; file, if
// given, must be the stored config byte for byte; the plan must be the one
// the stored cells and trials were made from.
func resumable(c *cli.Context, db *store.DB, file *experiment.Config) (experiment.Run, *experiment.Plan, error) {
	r, err := db.FindRun(c.Context, c.String("resume"))
	if err != nil {
		return r, nil, err
	}
	if r.Status == experiment.StatusDone {
		return r, nil, fmt.Errorf("run %d is done, with all %d trials stored: %w", r.ID, r.Trials, store.ErrNothingToResume)
	}
	if file != nil {
		sum := sha256.Sum256(file.Source)
		if got := hex.EncodeToString(sum[:]); got != r.ConfigSHA256 {
			return r, nil, usagef("%s is not run %d's experiment file (SHA-256 %.12s, stored %.12s): --resume runs the stored config; leave the file out, or start a new run with exp run %s",
				file.File, r.ID, got, r.ConfigSHA256, shellQuote(file.File))
		}
	}
	cfg, err := experiment.Parse(r.ConfigPath, []byte(r.ConfigYAML))
	if err != nil {
		return r, nil, fmt.Errorf("run %d's stored config no longer parses with this exp: %w", r.ID, err)
	}
	plan := experiment.NewPlan(cfg, r.Seed).Restrict(r.Shard)
	cells, err := db.Cells(c.Context, r.ID)
	if err != nil {
		return r, nil, err
	}
	same := len(cells) == len(plan.Cells)
	for i := 0; same && i < len(cells); i++ {
		same = cells[i].Cell == plan.Cells[i]
	}
	if !same {
		return r, nil, fmt.Errorf("run %d: this exp expands the stored config into other cells than the %d stored: it cannot resume the run", r.ID, len(cells))
	}
	if err := sameInputs(r, plan, cells); err != nil {
		return r, nil, err
	}
	missing, _, _, _, err := resumeSteps(c, db, r, plan)
	if err != nil {
		return r, nil, err
	}
	if len(missing) == 0 && r.Status == experiment.StatusFailed {
		// An adaptive run's cells may all have stopped short of max.
		return r, nil, fmt.Errorf("run %d failed with every trial its cells needed stored (%s): %w", r.ID, r.Error, store.ErrNothingToResume)
	}
	return r, plan, nil
}

// resumeSteps reads what the run holds and returns the steps of plan still
// missing, what the stored trials count, and the reference answers of the
// run: the oracle's stored with the cells, or, for a range without one,
// the first correct stored trial's, as the Runner chose it. With adaptive
// repeats it also returns the run's Stopper, fed the stored trials in run
// order, so that it has made the interrupted run's decisions; the steps of
// the cells it stopped are left out of the missing ones.
func resumeSteps(c *cli.Context, db *store.DB, r experiment.Run, plan *experiment.Plan) ([]experiment.Step, experiment.Summary, map[experiment.Range]experiment.Reference, *experiment.Stopper, error) {
	var prior experiment.Summary
	cells, err := db.Cells(c.Context, r.ID)
	if err != nil {
		return nil, prior, nil, nil, err
	}
	trials, err := db.Trials(c.Context, r.ID)
	if err != nil {
		return nil, prior, nil, nil, err
	}
	stop := experiment.NewStopper(plan)
	refs := map[experiment.Range]experiment.Reference{}
	for _, sc := range cells {
		if sc.Expected != nil {
			refs[sc.Range] = experiment.Reference{Digest: *sc.Expected, Source: experiment.SourceOracle}
		}
	}
	done := make([]experiment.Step, len(trials))
	for i, t := range trials {
		done[i] = t.Step
		prior.Trials++
		switch {
		case t.TimedOut:
			prior.TimedOut++ // no answer, not a wrong one
		case !t.OK:
			prior.Failed++
		}
		if t.Cell < 0 || t.Cell >= len(plan.Cells) {
			continue // Missing refuses it below
		}
		if stop != nil {
			stop.Add(&t)
		}
		if rg := plan.Cells[t.Cell].Range; t.OK && refs[rg].Source == "" {
			refs[rg] = experiment.Reference{Digest: t.Digest, Source: experiment.SourceFirstTrial}
		}
	}
	missing, err := plan.Missing(done)
	if err != nil {
		return nil, prior, nil, nil, fmt.Errorf("run %d cannot be resumed: %w", r.ID, err)
	}
	if stop != nil {
		missing = slices.DeleteFunc(missing, stop.Skip)
	}
	return missing, prior, refs, stop, nil
}
