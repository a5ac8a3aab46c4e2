package report

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/exp-tool/exp/experiment"
)

// Thresholds decide when a cell gets a warning.
type Thresholds struct {
	MaxCV float64 // coefficient of variation above which a cell is noisy, as a fraction (0.05 = 5%)
	MinN  int     // measured trials below which a cell is thin
}

// DefaultThresholds flags cells with CV above 5% or fewer than 6 trials (the
// fewest for which the median has a distribution-free 95% interval).
var DefaultThresholds = Thresholds{MaxCV: 0.05, MinN: 6}

// CellStats is the analysis of one cell's measured trials.
type CellStats struct {
	experiment.Cell
	Processors int    // effective processors, min(Workers, usable CPUs)
	Summary           // wall-time statistics of measured trials, seconds
	Warmups    int    // warmup trials stored (not in Summary)
	Failed     int    // trials, warmups included, whose answer was wrong
	Primes     uint64 // primes found by the cell's first correct trial (warmups count)
	// Speedup is T~(1 worker) / T~(this cell), medians of the same range and
	// schedule; NaN without a 1-worker cell. SpeedupLow and SpeedupHigh
	// divide the two cells' median intervals at 97.5% each, so that the
	// ratio's interval has at least 95% coverage (Bonferroni); NaN when a
	// cell has too few trials.
	Speedup, SpeedupLow, SpeedupHigh float64
	Efficiency                       float64 // Speedup / Workers
	// KarpFlatt is the experimentally determined serial fraction
	// e = (1/S - 1/p) / (1 - 1/p) (Karp & Flatt 1990) with p = Processors;
	// NaN when p = 1.
	KarpFlatt float64
	// AmdahlSpeedup is the speedup the range and schedule's Amdahl fit
	// predicts at Processors; NaN without a fit.
	AmdahlSpeedup float64
	Warnings      []string // caveats: noise, few trials, failures, oversubscription, outliers
	notes         []string // why a speedup or its CI is missing, for Warnings
}

// Fit is the Amdahl fit of one range and schedule.
type Fit struct {
	Range      experiment.Range
	Schedule   experiment.Schedule
	Processors []int    // distinct effective processor counts in the fit
	Model      Amdahl   // the fitted model; meaningful only if Err is nil
	Err        error    // why there is no fit, if there is none
	Warnings   []string // Err and the model's warnings, as text
}

// Report is the analysis of one run.
type Report struct {
	Run        experiment.Run
	UsableCPUs int         // CPUs the run could use at once (experiment.Host.UsableCPUs)
	Cells      []CellStats // one per cell, in plan order
	Fits       []Fit       // one per (range, schedule), in plan order
	Warnings   []string    // run-level caveats
}

// Build analyses the trials of run. cells are the run's cells in plan order,
// and each trial's Cell indexes them. Warmup trials are counted but left out
// of every statistic; failed trials stay in and are flagged.
func Build(run experiment.Run, cells []experiment.Cell, trials []experiment.Trial, th Thresholds) *Report {
	rep := &Report{Run: run, UsableCPUs: run.Host.UsableCPUs()}
	times := make([][]float64, len(cells))
	rep.Cells = make([]CellStats, len(cells))
	failed := 0
	primesOK, seen := make([]bool, len(cells)), make([]bool, len(cells))
	for i, c := range cells {
		rep.Cells[i] = CellStats{Cell: c, Processors: min(c.Workers, rep.UsableCPUs)}
	}
	for _, t := range trials {
		if t.Cell < 0 || t.Cell >= len(cells) {
			continue
		}
		cs := &rep.Cells[t.Cell]
		if !t.OK {
			cs.Failed++
			failed++
		}
		// Primes is what the cell's first correct trial found; with no
		// correct trial, what its first trial found (the cell is FAILED).
		if t.OK && !primesOK[t.Cell] || !seen[t.Cell] {
			cs.Primes = t.Hits
		}
		primesOK[t.Cell] = primesOK[t.Cell] || t.OK
		seen[t.Cell] = true
		if t.Warmup {
			cs.Warmups++
			continue
		}
		times[t.Cell] = append(times[t.Cell], float64(t.WallNS)/1e9)
	}
	for i := range rep.Cells {
		rep.Cells[i].Summary = Summarize(times[i])
	}
	rep.speedups(times)
	rep.fits(times)
	for i := range rep.Cells {
		rep.Cells[i].Warnings = append(rep.Cells[i].Warnings, cellWarnings(&rep.Cells[i], rep.UsableCPUs, th)...)
	}
	if run.Status != experiment.StatusDone {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("run status is %s: %d of %d planned trials stored",
			run.Status, len(trials), len(cells)*(run.Repeats+run.Warmup)))
	}
	if failed > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s found a wrong answer: the kernel or a schedule is broken", plural(failed, "trial")))
	}
	if slices.ContainsFunc(cells, func(c experiment.Cell) bool { return c.Workers > rep.UsableCPUs }) {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("cells with more workers than the %d usable CPUs are oversubscribed; fits use p = min(workers, %d)",
			rep.UsableCPUs, rep.UsableCPUs))
	}
	return rep
}

// speedups fills Speedup, Efficiency and KarpFlatt against the 1-worker cell
// of the same range and schedule, and notes why any of them is missing.
func (rep *Report) speedups(times [][]float64) {
	nan := math.NaN()
	bonferroni := 1 - (1-Confidence)/2
	for i := range rep.Cells {
		cs := &rep.Cells[i]
		cs.Speedup, cs.SpeedupLow, cs.SpeedupHigh, cs.Efficiency, cs.KarpFlatt = nan, nan, nan, nan, nan
		if cs.N == 0 {
			continue
		}
		base := slices.IndexFunc(rep.Cells, func(b CellStats) bool {
			return b.Workers == 1 && b.Range == cs.Range && b.Schedule == cs.Schedule
		})
		switch {
		case base < 0:
			cs.notes = append(cs.notes, "no 1-worker cell of this range and schedule: no speedup (add 1 to workers)")
			continue
		case rep.Cells[base].N == 0:
			cs.notes = append(cs.notes, "the 1-worker cell has no measured trials: no speedup")
			continue
		case base != i && rep.Cells[base].Failed > 0:
			cs.notes = append(cs.notes, "speedup is against a 1-worker cell with wrong answers")
		}
		b := &rep.Cells[base]
		cs.Speedup = b.Median / cs.Median
		if base == i {
			cs.Speedup, cs.SpeedupLow, cs.SpeedupHigh = 1, 1, 1
		} else if bl, bh, ok := ciAt(times[base], bonferroni); !ok {
			cs.notes = append(cs.notes, fmt.Sprintf("the 1-worker cell's n=%d is too few for the speedup's CI", b.N))
		} else if cl, ch, ok := ciAt(times[i], bonferroni); !ok {
			cs.notes = append(cs.notes, fmt.Sprintf("n=%d is too few for the speedup's CI (each cell needs %d)", cs.N, minN(bonferroni)))
		} else {
			cs.SpeedupLow, cs.SpeedupHigh = bl/ch, bh/cl
		}
		cs.Efficiency = cs.Speedup / float64(cs.Workers)
		if p := float64(cs.Processors); p > 1 {
			cs.KarpFlatt = (1/cs.Speedup - 1/p) / (1 - 1/p)
		}
	}
}

// minN is the fewest samples whose median has an order-statistic interval
// at confidence conf.
func minN(conf float64) int {
	n := 1
	for ; n < 1000; n++ {
		if _, _, ok := MedianCI(n, conf); ok {
			break
		}
	}
	return n
}

// ciAt is the median's order-statistic interval of xs at confidence conf.
func ciAt(xs []float64, conf float64) (lo, hi float64, ok bool) {
	sorted := slices.Sorted(slices.Values(xs))
	i, j, ok := MedianCI(len(sorted), conf)
	if !ok {
		return 0, 0, false
	}
	return sorted[i], sorted[j], true
}

// fits fits Amdahl's law per (range, schedule) on the cells' medians, with
// p = effective processors and each median weighted by its standard error
// (MedianSE). Cells with fewer than 2 measured trials (no error estimate)
// or with wrong answers are left out of the fit, with a warning.
func (rep *Report) fits(times [][]float64) {
	for i := range rep.Cells {
		rep.Cells[i].AmdahlSpeedup = math.NaN()
	}
	for i, c := range rep.Cells {
		if slices.ContainsFunc(rep.Fits, func(f Fit) bool { return f.Range == c.Range && f.Schedule == c.Schedule }) {
			continue
		}
		f := Fit{Range: c.Range, Schedule: c.Schedule, Processors: []int{}}
		var pts []Point
		var members []int
		oversubscribed := false
		for j := i; j < len(rep.Cells); j++ {
			cj := rep.Cells[j]
			if cj.Range != c.Range || cj.Schedule != c.Schedule {
				continue
			}
			members = append(members, j)
			switch {
			case cj.N < 2:
				f.Warnings = append(f.Warnings, fmt.Sprintf("%d-worker cell left out: n=%d has no error estimate", cj.Workers, cj.N))
				continue
			case cj.Failed > 0:
				f.Warnings = append(f.Warnings, fmt.Sprintf("%d-worker cell left out: it has wrong answers", cj.Workers))
				continue
			}
			oversubscribed = oversubscribed || cj.Workers > cj.Processors
			if !slices.Contains(f.Processors, cj.Processors) {
				f.Processors = append(f.Processors, cj.Processors)
			}
			pts = append(pts, Point{P: float64(cj.Processors), T: cj.Median, SE: MedianSE(times[j])})
		}
		slices.Sort(f.Processors)
		f.Model, f.Err = FitAmdahl(pts)
		if f.Err != nil {
			f.Warnings = append(f.Warnings, "no fit: "+f.Err.Error())
			rep.Fits = append(rep.Fits, f)
			continue
		}
		for _, w := range f.Model.Warnings {
			f.Warnings = append(f.Warnings, w.Error())
			if errors.Is(w, ErrPoorFit) && oversubscribed {
				f.Warnings = append(f.Warnings, "oversubscribed cells share p with others: their extra overhead is not Amdahl's serial fraction")
			}
		}
		for _, j := range members {
			// A prediction is a positive, finite speedup or nothing: with
			// B < 0 the model diverges at p = 1 - 1/B.
			if sp := f.Model.Speedup(float64(rep.Cells[j].Processors)); sp > 0 && !math.IsInf(sp, 0) {
				rep.Cells[j].AmdahlSpeedup = sp
			}
		}
		rep.Fits = append(rep.Fits, f)
	}
}

func cellWarnings(cs *CellStats, cpus int, th Thresholds) []string {
	var w []string
	if cs.Failed > 0 {
		w = append(w, fmt.Sprintf("FAILED: %s found a wrong answer", plural(cs.Failed, "trial")))
	}
	switch {
	case cs.N < th.MinN && math.IsNaN(cs.CILow):
		w = append(w, fmt.Sprintf("n=%d < %d: no %g%% CI of the median", cs.N, th.MinN, Confidence*100))
	case cs.N < th.MinN:
		w = append(w, fmt.Sprintf("n=%d < %d: few trials", cs.N, th.MinN))
	}
	if cs.CV > th.MaxCV {
		w = append(w, fmt.Sprintf("noisy: cv %.1f%% > %.0f%%", cs.CV*100, th.MaxCV*100))
	}
	if cs.Workers > cpus {
		w = append(w, fmt.Sprintf("oversubscribed: %d workers > %d usable CPUs", cs.Workers, cpus))
	}
	if cs.Outliers > 0 {
		w = append(w, fmt.Sprintf("%s (beyond 1.5 IQR), kept", plural(cs.Outliers, "outlier")))
	}
	return append(w, cs.notes...)
}

// plural renders "1 trial" or "2 trials".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
