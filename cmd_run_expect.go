package main

import (
	"fmt"
	"strconv"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/report"
	"github.com/exp-tool/exp/store"
	"github.com/urfave/cli/v2"
)

// gateRun judges a finished run of plan against its experiment file's
// expect list, as exp check does with the default thresholds: the verdicts
// go to stderr (unless --quiet), and the outcome is errCheckFailed or
// errCheckInconclusive (exit status 4 or 5) when not every expectation
// passes. A file without expect gates nothing, and neither does a shard:
// it holds part of the matrix, so the merged database is judged instead.
func gateRun(c *cli.Context, db *store.DB, r experiment.Run, plan *experiment.Plan) error {
	cfg := plan.Config
	if len(cfg.Expect) == 0 {
		return nil
	}
	if plan.Shard.Sharded() {
		if !c.Bool("quiet") {
			fmt.Fprintf(c.App.ErrWriter, "expect: not judged on shard %s, which holds part of the matrix; judge the merged database with exp check RUN --db MERGED.db\n", plan.Shard)
		}
		return nil
	}
	rep, err := loadReport(c.Context, db, strconv.FormatInt(r.ID, 10), report.DefaultThresholds)
	if err != nil {
		return fmt.Errorf("judge the expectations of run %d: %w", r.ID, err)
	}
	var vs []report.CheckVerdict
	for _, e := range cfg.Expect {
		vs = append(vs, report.Judge(rep, e)...)
	}
	if !c.Bool("quiet") {
		fmt.Fprintf(c.App.ErrWriter, "expectations of %s (exp check %d --db %s judges them again):\n", cfg.File, r.ID, shellQuote(db.Path()))
		if err := report.WriteCheck(c.App.ErrWriter, report.FormatTable, rep, vs); err != nil {
			return err
		}
	}
	if err := verdictError(vs); err != nil {
		return fmt.Errorf("run %d: %w", r.ID, err)
	}
	return nil
}
