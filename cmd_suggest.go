package main

import (
	"github.com/exp-tool/exp/report"
	"github.com/urfave/cli/v2"
)

// cmdSuggest plans the next run of an experiment from a run's fits: which
// worker counts would narrow B (and the USL's σ and κ) the most, and how
// many repeats each cell needs, as a fragment of an experiment file.
func cmdSuggest(c *cli.Context) error {
	ref, err := runArg(c, "suggest", "exp suggest 3 --max-workers 16")
	if err != nil {
		return err
	}
	maxWorkers := 0 // the run's machine, below
	if c.IsSet("max-workers") {
		maxWorkers = c.Int("max-workers")
		if maxWorkers < 2 || maxWorkers > maxSuggestWorkers {
			return usagef("--max-workers must be from 2 to %d, got %d", maxSuggestWorkers, maxWorkers)
		}
	}
	precision := c.Float64("precision")
	if !(precision > 0 && precision < 100) {
		return usagef("--precision must be a percentage above 0 and below 100, got %g", precision)
	}
	format, rep, err := readReport(c, ref, report.SuggestFormats)
	if err != nil {
		return err
	}
	if maxWorkers == 0 {
		if maxWorkers = runMaxWorkers(rep); maxWorkers < 2 {
			return usagef("run %d's machine had 1 usable CPU, so one worker count to choose from: give --max-workers 2 or more (to plan for a bigger machine)", rep.Run.ID)
		}
	}
	s, err := report.Suggest(rep, maxWorkers, precision/100)
	if err != nil {
		return err
	}
	return report.WriteSuggest(c.App.Writer, format, s)
}

// runMaxWorkers is --max-workers' default: the usable CPUs of the machine
// the run measured, for a CPU-bound kernel (more workers would share
// them); for one that waits, also its largest worker count, which it
// scaled to.
func runMaxWorkers(rep *report.Report) int {
	n := rep.UsableCPUs
	if !rep.Run.CPUBound {
		for _, c := range rep.Cells {
			n = max(n, c.Workers)
		}
	}
	return min(n, maxSuggestWorkers)
}

// maxSuggestWorkers bounds --max-workers: each count up to it is a
// candidate that exp suggest weighs for every group.
const maxSuggestWorkers = 4096
