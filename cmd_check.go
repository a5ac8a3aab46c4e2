package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

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
	ref, err := runArg(c, "check", "exp check 3 --expect 'b <= 0.05'")
	if err != nil {
		return err
	}
	texts := c.StringSlice("expect")
	exps := make([]experiment.Expectation, len(texts))
	for i, s := range texts {
		e, err := experiment.ParseExpectation(s)
		if err != nil {
			return usageError{err}
		}
		exps[i] = e
	}
	format, rep, err := readReport(c, ref, report.CheckFormats)
	if err != nil {
		return err
	}
	if len(exps) == 0 {
		// The expect list of the run's own experiment file.
		if exps = rep.Run.Expectations(); len(exps) == 0 {
			return usagef("check needs at least one --expect, such as --expect 'b <= 0.05' (%s), or a run whose experiment file has expect:", experiment.ExpectationSyntax)
		}
	}
	var vs []report.CheckVerdict
	for _, e := range exps {
		vs = append(vs, report.Judge(rep, e)...)
	}
	if err := report.WriteCheck(c.App.Writer, format, rep, vs); err != nil {
		return err
	}
	return verdictError(vs)
}

// verdictError is nil when every verdict passes, else errCheckFailed (a
// failure wins) or errCheckInconclusive, naming the expectations that did
// not pass.
func verdictError(vs []report.CheckVerdict) error {
	worst := report.Worst(vs)
	if worst == report.Pass {
		return nil
	}
	var names []string
	for _, v := range vs {
		if v.Outcome == worst && !slices.Contains(names, v.Expectation.Text) {
			names = append(names, v.Expectation.Text)
		}
	}
	err := errCheckInconclusive
	if worst == report.Fail {
		err = errCheckFailed
	}
	return fmt.Errorf("%s: %w", strings.Join(names, "; "), err)
}
