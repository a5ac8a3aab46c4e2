package report

import (
	"fmt"
	"math"
	"slices"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/scaling"
)

// Fit is the scaling analysis of one range and schedule.
type Fit struct {
	RangeIndex int                 // position of the range in the experiment file
	Range      experiment.Range    // the range as tested by the 1-worker cell (as written in the file)
	Schedule   experiment.Schedule // the schedule
	Processors []int               // distinct effective processor counts fitted
	// Amdahl is Amdahl's law fitted to the cells' median times (strong
	// scaling); meaningful only when AmdahlErr is nil.
	Amdahl    scaling.AmdahlFit
	AmdahlErr error // why there is no Amdahl fit, if there is none
	// KarpFlatt is the trend of the Karp–Flatt serial fraction over the
	// fitted cells (strong scaling).
	KarpFlatt scaling.KarpFlattTrend
	// USL is the Universal Scalability Law fitted to the fitted cells'
	// throughput, numbers per second (strong scaling); meaningful only when
	// USLErr is nil.
	USL    scaling.USLFit
	USLErr error
	// Choice says whether Amdahl's law or the USL describes the throughput,
	// by the F-test of κ = 0 at level 1 - Confidence (strong scaling).
	Choice    scaling.Choice
	ChoiceErr error
	// Gustafson is Gustafson's law fitted to the scaled speedups (weak
	// scaling); meaningful only when GustafsonErr is nil.
	Gustafson    scaling.GustafsonFit
	GustafsonErr error
	Warnings     []error // caveats of the group: cells left out, starved cells, Amdahl's warnings
	cells        []int   // indexes of the group's cells in Report.Cells
}

// fits analyses each group (range and schedule) of cells. Cells enter the
// fits when they have at least 2 measured trials (for an error estimate),
// no wrong answers, no measured trial that timed out, and, for a CPU-bound
// kernel, no more workers than usable CPUs: oversubscribed cells share p with the last full one and add
// scheduling overhead that is not the program's serial fraction.
func (rep *Report) fits() {
	for i, c := range rep.Cells {
		g := rep.groupOf(c.Cell)
		if slices.ContainsFunc(rep.Fits, func(f Fit) bool { return rep.groupOf(rep.Cells[f.cells[0]].Cell) == g }) {
			continue
		}
		f := Fit{RangeIndex: c.RangeIndex, Range: c.Range, Schedule: c.Schedule, Processors: []int{}}
		var pts []scaling.Point
		var members []int // cells behind pts
		for j := i; j < len(rep.Cells); j++ {
			cj := &rep.Cells[j]
			if rep.groupOf(cj.Cell) != g {
				continue
			}
			f.cells = append(f.cells, j)
			if cj.Workers == 1 {
				f.Range = cj.Range
			}
			switch {
			case cj.N < 2:
				f.Warnings = append(f.Warnings, fmt.Errorf("%d-worker cell left out: n=%d has no error estimate", cj.Workers, cj.N))
				continue
			case cj.Failed > 0:
				f.Warnings = append(f.Warnings, fmt.Errorf("%w: %d-worker cell left out: it has wrong answers", ErrFailed, cj.Workers))
				continue
			case cj.measuredTimedOut > 0:
				f.Warnings = append(f.Warnings, fmt.Errorf("%w: %d-worker cell left out: %s timed out, so its median leaves out its slowest trials",
					ErrTimedOut, cj.Workers, plural(cj.measuredTimedOut, "measured trial")))
				continue
			case hasWarning(cj.Warnings, ErrOversubscribed):
				continue
			}
			if hasWarning(cj.Warnings, ErrStarved) {
				consequence := "so B is overstated"
				if weak(rep.Run) {
					consequence = "so α is overstated"
				}
				f.Warnings = append(f.Warnings, fmt.Errorf("%w: the %d-worker cell kept %.2f of %d CPUs busy: the machine, not the program, limited its speedup, %s",
					ErrStarved, cj.Workers, cj.CPUUse, cj.Processors, consequence))
			}
			cj.InFit = true
			if !slices.Contains(f.Processors, cj.Processors) {
				f.Processors = append(f.Processors, cj.Processors)
			}
			members = append(members, j)
			pts = append(pts, scaling.Point{P: float64(cj.Processors), Y: cj.Median, SE: cj.medianSE, N: cj.N})
		}
		slices.Sort(f.Processors)
		rep.models(&f, members)
		if weak(rep.Run) {
			f.AmdahlErr = ErrWeakScaling
			rep.Fits = append(rep.Fits, f)
			continue
		}
		f.Amdahl, f.AmdahlErr = scaling.FitAmdahl(pts, rep.Thresholds.Confidence)
		if f.AmdahlErr == nil {
			f.Warnings = append(f.Warnings, f.Amdahl.Warnings...)
			for _, j := range f.cells {
				// A prediction is a positive, finite speedup or nothing: with
				// B < 0 the model diverges at p = 1 - 1/B.
				if sp := f.Amdahl.Speedup(float64(rep.Cells[j].Processors)); sp > 0 && !math.IsInf(sp, 0) {
					rep.Cells[j].AmdahlSpeedup = sp
				}
			}
			for k, j := range members {
				rep.Cells[j].Residual = f.Amdahl.Residuals[k].Z
			}
		}
		rep.Fits = append(rep.Fits, f)
	}
}
