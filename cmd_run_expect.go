package main

import (
	"fmt"
	"strconv"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/report"
	"github.com/exp-tool/exp/store"
	"github.com/urfave/cli/v2"
)

// gateRun judges a finished run against its experiment file's expect list,
// as exp check does with the default thresholds: the verdicts go to stderr
// (unless --quiet), and the outcome is errCheckFailed or
// errCheckInconclusive (exit status 4 or 5) when not every expectation
// passes. A file without expect gates nothing.
func gateRun(c *cli.Context, db *store.DB, r experiment.Run, cfg *experiment.Config) error {
	if len(cfg.Expect) == 0 {
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
		fmt.Fprintf(c.App.ErrWriter, "expectations of %s (exp check %d gives the same verdicts):\n", cfg.File, r.ID)
		if err := report.WriteCheck(c.App.ErrWriter, report.FormatTable, rep, vs); err != nil {
			return err
		}
	}
	switch report.Worst(vs) {
	case report.Fail:
		return fmt.Errorf("run %d: %w", r.ID, errCheckFailed)
	case report.Inconclusive:
		return fmt.Errorf("run %d: %w", r.ID, errCheckInconclusive)
	}
	return nil
}
