package main

import (
	"fmt"
	"math"

	"github.com/exp-tool/exp/chart"
	"github.com/exp-tool/exp/report"
	"github.com/exp-tool/exp/store"
	"github.com/urfave/cli/v2"
)

// cmdCompare compares two runs cell by cell, as benchstat compares
// benchmarks; RUN_B may live in another file (--db-b).
func cmdCompare(c *cli.Context) error {
	if c.NArg() != 2 {
		return usagef("compare takes two runs, got %d arguments (try: exp compare 1 2, or exp compare 1 latest --db-b other.db)", c.NArg())
	}
	for _, ref := range c.Args().Slice() {
		if ref == "" {
			return usagef("a run must not be empty (an id, a UUID or unique prefix, or latest)")
		}
	}
	opt, format, err := compareOptions(c)
	if err != nil {
		return err
	}
	plot, err := plotFlag(c)
	if err != nil {
		return err
	}
	cmp, err := compareRuns(c, c.Args().Get(0), c.Args().Get(1), opt)
	if err != nil {
		return err
	}
	if err := report.WriteComparison(c.App.Writer, format, cmp); err != nil {
		return err
	}
	sayVerdict(c, format, cmp)
	return plot.write(func() *chart.Figure { return chart.FromComparison(cmp) })
}

// sayVerdict repeats the verdict line on stderr when stdout holds CSV or
// JSON, whose readers would not see it otherwise.
func sayVerdict(c *cli.Context, format report.Format, cmp *report.Comparison) {
	if format == report.FormatCSV || format == report.FormatJSON {
		fmt.Fprintln(c.App.ErrWriter, "verdict: "+cmp.Verdict.Line)
	}
}

// compareOptions reads --threshold, --confidence and --format, which exp
// compare and exp reproduce share.
func compareOptions(c *cli.Context) (report.CompareOptions, report.Format, error) {
	th, err := thresholds(c)
	if err != nil {
		return report.CompareOptions{}, "", err
	}
	pct := c.Float64("threshold")
	if !(pct >= 0) || math.IsInf(pct, 0) {
		return report.CompareOptions{}, "", usagef("--threshold must be a percentage >= 0, got %g", pct)
	}
	format, err := report.ParseFormat(c.String("format"), report.CompareFormats)
	if err != nil {
		return report.CompareOptions{}, "", usageError{err}
	}
	return report.CompareOptions{Thresholds: th, Threshold: math.Abs(pct) / 100, Alpha: report.DefaultAlpha}, format, nil
}

// compareRuns loads run a from --db and run b from --db-b (else --db) and
// compares them.
func compareRuns(c *cli.Context, a, b string, opt report.CompareOptions) (*report.Comparison, error) {
	dbA, err := store.OpenExisting(c.Context, dbPath(c, ""))
	if err != nil {
		return nil, err
	}
	defer dbA.Close()
	dbB := dbA
	if p := c.String("db-b"); p != "" {
		if dbB, err = store.OpenExisting(c.Context, p); err != nil {
			return nil, err
		}
		defer dbB.Close()
	}
	ra, err := loadReport(c.Context, dbA, a, opt.Thresholds)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dbA.Path(), err)
	}
	rb, err := loadReport(c.Context, dbB, b, opt.Thresholds)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dbB.Path(), err)
	}
	if err := warnInputsBetween(c, dbA, ra.Run, dbB, rb.Run); err != nil {
		return nil, err
	}
	return report.CompareReports(ra, rb, opt), nil
}
