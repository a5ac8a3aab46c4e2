package main

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/exp-tool/exp/chart"
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
	plot, err := plotFlag(c)
	if err != nil {
		return err
	}
	format, db, err := readSetup(c, reportFormats)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := loadJobReport(c.Context, db, c.String("run"), th, c.Bool("shard-only"))
	if err != nil {
		return err
	}
	if err := writeOutput(c.String("output"), db.Path(), c.App.Writer, func(w io.Writer) error { return writeReport(w, format, rep) }); err != nil {
		return err
	}
	return plot.write(func() *chart.Figure { return chart.FromReport(rep) })
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

// reportPlots draws the plots of rep's HTML page: the speedups and fitted
// laws of exp report --plot, as SVG, titled by the figure's first line.
func reportPlots(rep *report.Report) ([]htmlreport.Plot, error) {
	fig := chart.FromReport(rep)
	var b bytes.Buffer
	if err := fig.WriteSVG(&b); err != nil {
		return nil, fmt.Errorf("draw the plot: %w", err)
	}
	title, _, _ := strings.Cut(fig.Title, "\n")
	return []htmlreport.Plot{{Title: title, SVG: b.Bytes()}}, nil
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
	if c.IsSet("diagnose-alpha") {
		// Only exp report has the flag; the others keep the default.
		if th.DiagnoseAlpha = c.Float64("diagnose-alpha"); !(th.DiagnoseAlpha >= 0 && th.DiagnoseAlpha < 0.5) {
			return th, usagef("--diagnose-alpha must be from 0 (off) to below 0.5, got %g", th.DiagnoseAlpha)
		}
	}
	return th, nil
}
