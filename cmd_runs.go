package main

import (
	"github.com/exp-tool/exp/report"
	"github.com/urfave/cli/v2"
)

func cmdRuns(c *cli.Context) error {
	format, db, err := readSetup(c, report.RunsFormats)
	if err != nil {
		return err
	}
	defer db.Close()
	runs, err := db.ListRuns(c.Context)
	if err != nil {
		return err
	}
	return report.WriteRuns(c.App.Writer, format, runs)
}
