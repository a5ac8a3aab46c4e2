package main

import (
	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/report"
	"github.com/urfave/cli/v2"
)

func cmdReport(c *cli.Context) error {
	format, db, err := readSetup(c, report.Formats)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := db.FindRun(c.Context, c.String("run"))
	if err != nil {
		return err
	}
	stored, err := db.Cells(c.Context, r.ID)
	if err != nil {
		return err
	}
	trials, err := db.Trials(c.Context, r.ID)
	if err != nil {
		return err
	}
	cells := make([]experiment.Cell, len(stored))
	for i, sc := range stored {
		cells[i] = sc.Cell
	}
	return report.Write(c.App.Writer, format, report.Build(r, cells, trials, report.DefaultThresholds))
}
