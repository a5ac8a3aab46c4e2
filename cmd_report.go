package main

import (
	"github.com/exp-tool/exp/chart"
	"github.com/exp-tool/exp/report"
	"github.com/urfave/cli/v2"
)

func cmdReport(c *cli.Context) error {
	th, err := thresholds(c)
	if err != nil {
		return err
	}
	plot, err := plotFlag(c)
	if err != nil {
		return err
	}
	format, db, err := readSetup(c, report.Formats)
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := loadSide(c.Context, db, c.String("run"))
	if err != nil {
		return err
	}
	rep := report.Build(s.Run, s.Cells, s.Trials, th)
	if err := report.Write(c.App.Writer, format, rep); err != nil {
		return err
	}
	return plot.write(func() *chart.Figure { return chart.FromReport(rep) })
}

// The range of --confidence: below 0.5 an interval says little, and
// beyond 0.9999 the quantiles of a few trials run off to infinity.
const (
	minConfidence = 0.5
	maxConfidence = 0.9999
)

// thresholds are report.DefaultThresholds with the --confidence level and,
// for exp report, --exclude-contended.
func thresholds(c *cli.Context) (report.Thresholds, error) {
	th := report.DefaultThresholds
	th.Confidence = c.Float64("confidence")
	th.ExcludeContended = c.Bool("exclude-contended")
	if !(th.Confidence >= minConfidence && th.Confidence <= maxConfidence) {
		return th, usagef("--confidence must be from %g to %g, got %g", minConfidence, maxConfidence, th.Confidence)
	}
	return th, nil
}
