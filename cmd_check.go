package main

import (
	"errors"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/report"
	"github.com/urfave/cli/v2"
)

// The exit statuses of exp check when not every expectation passes: a
// failure outranks an inconclusive verdict.
const (
	exitCheckFailed       = 4
	exitCheckInconclusive = 5
)

// The errors of exp check's verdicts; main exits with exitCheckFailed and
// exitCheckInconclusive.
var (
	errCheckFailed       = errors.New("check failed: an expectation's whole interval violates it")
	errCheckInconclusive = errors.New("check inconclusive: an interval contains its threshold, or a quantity is missing")
)

// cmdCheck judges a run against --expect expressions, each with its
// confidence interval, and exits 0, 4 (a failure) or 5 (inconclusive).
func cmdCheck(c *cli.Context) error {
	if c.NArg() > 1 {
		return usagef("check takes one run, got %d arguments (try: exp check 3 --expect 'b <= 0.05')", c.NArg())
	}
	ref := "latest"
	if c.NArg() == 1 {
		if ref = c.Args().First(); ref == "" {
			return usagef("the run must not be empty (an id, a UUID or unique prefix, or latest)")
		}
	}
	texts := c.StringSlice("expect")
	if len(texts) == 0 {
		return usagef("check needs at least one --expect, such as --expect 'b <= 0.05' (%s)", experiment.ExpectationSyntax)
	}
	exps := make([]experiment.Expectation, len(texts))
	for i, s := range texts {
		e, err := experiment.ParseExpectation(s)
		if err != nil {
			return usageError{err}
		}
		exps[i] = e
	}
	th, err := thresholds(c)
	if err != nil {
		return err
	}
	format, db, err := openRead(c, report.CheckFormats)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := loadReport(c.Context, db, ref, th)
	if err != nil {
		return err
	}
	var vs []report.CheckVerdict
	for _, e := range exps {
		vs = append(vs, report.Judge(rep, e)...)
	}
	if err := report.WriteCheck(c.App.Writer, format, rep, vs); err != nil {
		return err
	}
	switch report.Worst(vs) {
	case report.Fail:
		return errCheckFailed
	case report.Inconclusive:
		return errCheckInconclusive
	}
	return nil
}
