package main

import (
	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/report"
	"github.com/urfave/cli/v2"
)

func cmdReport(c *cli.Context) error {
	th, err := thresholds(c)
	if err != nil {
		return err
	}
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
	return report.Write(c.App.Writer, format, report.Build(r, cells, trials, th))
}

// The range of --confidence: below 0.5 an interval says little, and
// beyond 0.9999 the quantiles of a few trials run off to infinity.
const (
	minConfidence = 0.5
	maxConfidence = 0.9999
)

// thresholds are report.DefaultThresholds with the --confidence level.
func thresholds(c *cli.Context) (report.Thresholds, error) {
	th := report.DefaultThresholds
	th.Confidence = c.Float64("confidence")
	if !(th.Confidence >= minConfidence && th.Confidence <= maxConfidence) {
		return th, usagef("--confidence must be from %g to %g, got %g", minConfidence, maxConfidence, th.Confidence)
	}
	return th, nil
}
