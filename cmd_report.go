package main

import (
	"io"
	"slices"

	"github.com/exp-tool/exp/htmlreport"
	"github.com/exp-tool/exp/report"
	"github.com/urfave/cli/v2"
)

// reportFormats are the formats of exp report: the report package's, and
// htmlreport's page.
var reportFormats = append(slices.Clone(report.Formats), htmlreport.Format)

func cmdReport(c *cli.Context) error {
	th, err := thresholds(c)
	if err != nil {
		return err
	}
	format, db, err := readSetup(c, reportFormats)
	if err != nil {
		return err
	}
	defer db.Close()
	out, err := openOutput(c.App.Writer, c.String("output"))
	if err != nil {
		return err
	}
	defer out.Abort()
	s, err := loadSide(c.Context, db, c.String("run"))
	if err != nil {
		return err
	}
	rep := report.Build(s.Run, s.Cells, s.Trials, th)
	if err := writeReport(out, format, rep); err != nil {
		return err
	}
	return out.Commit()
}

// writeReport renders rep in format on w.
func writeReport(w io.Writer, format report.Format, rep *report.Report) error {
	if format != htmlreport.Format {
		return report.Write(w, format, rep)
	}
	plots, err := reportPlots(rep)
	if err != nil {
		return err
	}
	return htmlreport.Write(w, rep, plots)
}

// reportPlots draws the plots of the HTML page of rep. None yet: package
// chart will draw them.
func reportPlots(*report.Report) ([]htmlreport.Plot, error) { return nil, nil }

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
