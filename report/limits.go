package report

import (
	"fmt"
	"strconv"

	"github.com/exp-tool/exp/experiment"
)

// Contended reports whether other processes used more CPU during trial t
// than th allows: other_cpu > MaxOtherCPU x wall + OtherCPUResolution. A
// trial that did not measure it (no /proc/stat, or written by an older
// exp) or timed out is not contended.
func (th Thresholds) Contended(t experiment.Trial) bool {
	if !t.HasOtherCPU || t.TimedOut || t.WallNS <= 0 {
		return false
	}
	other, wall := float64(t.OtherCPUNS)/1e9, float64(t.WallNS)/1e9
	return other > th.MaxOtherCPU*wall+th.OtherCPUResolution
}

// limitCellWarnings are a cell's caveats about time limits and other
// processes: trials that timed out, and contended trials.
func limitCellWarnings(cs *CellStats, th Thresholds) []error {
	var w []error
	if cs.TimedOut > 0 {
		w = append(w, fmt.Errorf("%w: %s cancelled at the timeout, in no statistic", ErrTimedOut, plural(cs.TimedOut, "trial")))
	}
	if cs.Contended > 0 {
		kept := "kept"
		if cs.ExcludedContended > 0 {
			kept = "left out"
		}
		w = append(w, fmt.Errorf("%w: %d of %d trials ran while other processes kept more than %s CPUs busy (the cell's median: %.2f CPUs), %s",
			ErrContended, cs.Contended, cs.N+cs.ExcludedContended, cpus(th.MaxOtherCPU), cs.OtherCPU, kept))
	}
	return w
}

// limitWarnings are the run's caveats about time limits and other
// processes: how many trials timed out, and how many were contended and
// whether they were left out, in total.
func limitWarnings(rep *Report) []error {
	var ws []error
	var timedOut, timedOutCells, contended, contendedCells, excluded, measured int
	for _, c := range rep.Cells {
		timedOut += c.TimedOut
		contended += c.Contended
		excluded += c.ExcludedContended
		measured += c.N + c.ExcludedContended
		if c.TimedOut > 0 {
			timedOutCells++
		}
		if c.Contended > 0 {
			contendedCells++
		}
	}
	if timedOut > 0 {
		ws = append(ws, fmt.Errorf("%w: %s in %s cancelled at the experiment's timeout: left out of every statistic, "+
			"and a cell where a measured trial timed out is left out of the fits", ErrTimedOut, plural(timedOut, "trial"), plural(timedOutCells, "cell")))
	}
	th := rep.Thresholds
	switch {
	case excluded > 0:
		ws = append(ws, fmt.Errorf("%w: left out %d contended of %d measured trials, in %s: other processes kept more than %s CPUs busy "+
			"during them; every statistic is without them (see each cell's warning for its count)",
			ErrContended, excluded, measured, plural(contendedCells, "cell"), cpus(th.MaxOtherCPU)))
	case contended > 0:
		ws = append(ws, fmt.Errorf("%w: %d of %d measured trials, in %s, ran while other processes kept more than %s CPUs busy: "+
			"they are kept; exp report --exclude-contended leaves them out", ErrContended, contended, measured, plural(contendedCells, "cell"), cpus(th.MaxOtherCPU)))
	}
	return ws
}

// cpus renders a number of CPUs with the fewest digits: 0.2, 1, 0.25.
func cpus(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
