package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/report"
	"github.com/exp-tool/exp/store"
	"github.com/urfave/cli/v2"
)

// exitNotReproduced is the exit status of exp reproduce when the new run
// does not reproduce the old one.
const exitNotReproduced = 3

// errNotReproduced is returned by exp reproduce for a verdict of "not
// reproduced"; main exits with exitNotReproduced.
var errNotReproduced = errors.New("not reproduced")

// cmdReproduce re-runs a stored run's config with its seed into the same
// database, links the new run to it, and compares the two.
func cmdReproduce(c *cli.Context) error {
	ref, err := runArg(c, "reproduce", "exp reproduce 3")
	if err != nil {
		return err
	}
	opt, format, err := compareOptions(c)
	if err != nil {
		return err
	}
	db, err := store.OpenExistingForWrite(c.Context, dbPath(c, ""))
	if err != nil {
		return err
	}
	defer db.Close()
	orig, plan, err := storedPlan(c, db, ref)
	if err != nil {
		return err
	}
	if err := plan.ReadInputs(); err != nil {
		return err
	}
	if err := warnInputs(c, db, orig, plan.Inputs, "this reproduction reads"); err != nil {
		return err
	}
	refs, err := references(c, plan)
	if err != nil {
		return err
	}
	hr, err := runSetup(c, plan.Config)
	if err != nil {
		return err
	}
	defer hr.cleanup(c, nil)
	r, runErr := execute(c, db, plan, refs, orig.UUID, hr)
	if r.ID == 0 || errors.Is(runErr, experiment.ErrInterrupted) {
		return runErr
	}
	a, err := loadReport(c.Context, db, fmt.Sprint(orig.ID), opt.Thresholds)
	if err != nil {
		return errors.Join(runErr, err)
	}
	b, err := loadReport(c.Context, db, fmt.Sprint(r.ID), opt.Thresholds)
	if err != nil {
		return errors.Join(runErr, err)
	}
	cmp := report.CompareReports(a, b, opt)
	if err := report.WriteComparison(c.App.Writer, format, cmp); err != nil {
		return errors.Join(runErr, err)
	}
	if runErr != nil {
		return runErr
	}
	if !cmp.Verdict.Reproduced {
		return fmt.Errorf("run %d does not reproduce run %d: %w (%s)", r.ID, orig.ID, errNotReproduced,
			strings.TrimPrefix(cmp.Verdict.Line, "not reproduced: "))
	}
	sayVerdict(c, format, cmp)
	return nil
}

// storedPlan finds the run ref names and rebuilds its plan from the config
// and seed stored with it, never from the file on disk, restricted to its
// shard if it ran one.
func storedPlan(c *cli.Context, db *store.DB, ref string) (experiment.Run, *experiment.Plan, error) {
	orig, err := db.FindRun(c.Context, ref)
	if err != nil {
		return orig, nil, err
	}
	cfg, err := experiment.Parse(orig.ConfigPath, []byte(orig.ConfigYAML))
	if err != nil {
		return orig, nil, fmt.Errorf("run %d's stored config (recorded from %s) no longer parses with this exp: %w", orig.ID, orig.ConfigPath, err)
	}
	if !c.Bool("quiet") {
		fmt.Fprintf(c.App.ErrWriter, "reproducing run %d (%s, %q, seed %d) from its stored config\n", orig.ID, orig.UUID, orig.Name, orig.Seed)
	}
	// A shard's run reproduces its own cells (Plan.Restrict), not the whole matrix.
	return orig, experiment.NewPlan(cfg, orig.Seed).Restrict(orig.Shard), nil
}
