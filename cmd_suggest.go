package main

import (
	"github.com/exp-tool/exp/host"
	"github.com/exp-tool/exp/report"
	"github.com/urfave/cli/v2"
)

// cmdSuggest plans the next run of an experiment from a run's fits: which
// worker counts would narrow B (and the USL's σ and κ) the most, and how
// many repeats each cell needs, as a fragment of an experiment file.
func cmdSuggest(c *cli.Context) error {
	if c.NArg() > 1 {
		return usagef("suggest takes one run, got %d arguments (try: exp suggest 3 --max-workers 16)", c.NArg())
	}
	ref := "latest"
	if c.NArg() == 1 {
		if ref = c.Args().First(); ref == "" {
			return usagef("the run must not be empty (an id, a UUID or unique prefix, or latest)")
		}
	}
	maxWorkers := host.Probe().UsableCPUs()
	if c.IsSet("max-workers") {
		maxWorkers = c.Int("max-workers")
		if maxWorkers < 2 || maxWorkers > maxSuggestWorkers {
			return usagef("--max-workers must be from 2 to %d, got %d", maxSuggestWorkers, maxWorkers)
		}
	} else if maxWorkers < 2 {
		return usagef("this machine has 1 usable CPU, so one worker count to choose from: give --max-workers 2 or more (to plan for a bigger machine)")
	}
	precision := c.Float64("precision")
	if !(precision > 0 && precision < 100) {
		return usagef("--precision must be a percentage above 0 and below 100, got %g", precision)
	}
	th, err := thresholds(c)
	if err != nil {
		return err
	}
	format, db, err := openRead(c, report.SuggestFormats)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := loadReport(c.Context, db, ref, th)
	if err != nil {
		return err
	}
	s, err := report.Suggest(rep, maxWorkers, precision/100)
	if err != nil {
		return err
	}
	return report.WriteSuggest(c.App.Writer, format, s)
}

// maxSuggestWorkers bounds --max-workers: each count up to it is a
// candidate that exp suggest weighs for every group.
const maxSuggestWorkers = 4096
