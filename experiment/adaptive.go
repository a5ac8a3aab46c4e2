package experiment

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Adaptive is repeats written as a mapping, {min: 5, max: 50, precision: 2%}:
// each cell gets measured trials until the 95% interval of its median lies
// within ±Precision of the median, at least Min and at most Max of them
// (see Stopper). Config.Repeats is then Max, the most that are planned.
type Adaptive struct {
	Min       int     // measured trials per cell before a cell may stop, >= 2
	Max       int     // most measured trials per cell, >= Min and >= MinAdaptiveMax; Config.Repeats
	Precision float64 // target half-width of the median's interval over the median, a fraction in (0, 1): 0.02 for 2%
}

// Limits and settings of adaptive repeats.
const (
	// MinAdaptiveMin is the smallest min: a cell is never judged on one trial.
	MinAdaptiveMin = 2
	// MinAdaptiveMax is the smallest max: 6 trials are the fewest for which
	// the median has a distribution-free 95% interval (MedianCI), so with
	// fewer no precision could ever be shown.
	MinAdaptiveMax = 6
)

// StopConfidence is the level of the interval of the median that a
// Stopper asks to lie within ±Adaptive.Precision: the report's default
// (report.DefaultThresholds.Confidence), so that the precision a run
// stops at is the one its report shows.
const StopConfidence = 0.95

// String renders a as the file writes it: {min: 5, max: 50, precision: 2%}.
func (a Adaptive) String() string {
	return fmt.Sprintf("{min: %d, max: %d, precision: %s}", a.Min, a.Max, Percent(a.Precision))
}

// Percent renders a fraction as a percentage of at most 6 significant
// digits, with no needless ones and no exponent: 0.02 as 2%, 0.005 as
// 0.5%, 1e-6 as 0.0001%.
func Percent(f float64) string {
	v, err := strconv.ParseFloat(fmt.Sprintf("%.6g", f*100), 64)
	if err != nil {
		return fmt.Sprintf("%g%%", f*100)
	}
	return strconv.FormatFloat(v, 'f', -1, 64) + "%"
}

// RelativeHalfWidth is the precision of a median: the larger distance from
// median to either end of its interval [lo, hi], over the median, as a
// fraction (the interval lies within ±RelativeHalfWidth of the median). It
// is +Inf when the interval or the median is not known (NaN) or the median
// is not positive.
func RelativeHalfWidth(median, lo, hi float64) float64 {
	if math.IsNaN(median) || math.IsNaN(lo) || math.IsNaN(hi) || median <= 0 {
		return math.Inf(1)
	}
	return max(median-lo, hi-median) / median
}

// precisionAt is the precision (RelativeHalfWidth) of the median of the
// sorted values from its order-statistic interval, with the interval's lower index lo already
// known (ok false: no interval).
func precisionAt(sorted []float64, lo int, ok bool) float64 {
	if !ok {
		return math.Inf(1)
	}
	n := len(sorted)
	med := (sorted[(n-1)/2] + sorted[n/2]) / 2
	return RelativeHalfWidth(med, sorted[lo], sorted[n-1-lo])
}

// Stopper decides, for a plan with adaptive repeats, when each cell has
// measured enough. It is fed every emitted trial (Add), in run order, and
// consulted before each step (Skip); the Runner does both.
//
// The rule: after each trial that counts of a cell with at least Min such
// trials, the Stopper checks whether the StopConfidence interval of their
// median (MedianCI) lies within ±Precision of the median (Precision). The
// cell stops at its first check that has an interval if that one is
// precise; after a check that found the interval too wide, only when two
// consecutive checks are precise. Its steps of later rounds (Rep; see
// NewPlan) are then skipped. A cell also stops after its last round (Max
// measured trials), precise or not. The trials that count are measured
// (not warmups), with a right answer, and not timed out: those of the
// report's statistics, but for wrong answers, which the report keeps and
// flags (such a run is failed anyway).
//
// The second check is what keeps the reported interval honest: a cell
// whose interval hovers about the target would otherwise stop on the round
// where chance made it narrow, and such intervals miss the true median more
// often. With it, simulated cells with lognormal noise of CV 1–10%, min 5,
// max 50 and precision 2% or 5% have 95% intervals that cover the true
// median 95–97.5% of the time (TestAdaptiveCoverage in package report;
// also at 1% and 10% when the rule was chosen); stopping on the first
// precise check gave 92% at worst.
//
// A cell's decision after round r depends only on its own trials of rounds
// up to r, so the decisions are a function of the measurements, whatever
// the order of the cells within a round. exp run --resume feeds the stored
// trials to a new Stopper (NewStopper, then Add each, by seq) and gets the
// decisions the interrupted run had made; the run then goes on with them.
type Stopper struct {
	a      Adaptive
	warmup int
	cells  []stopCell
	// lows caches MedianCI(n, StopConfidence)'s lower index by n, -1 for
	// no interval, -2 not yet computed: the binomial CDFs it takes cost
	// more than the rest of a check.
	lows []int
}

// stopCell is a Stopper's state of one cell.
type stopCell struct {
	sorted    []float64 // wall times of the trials that count, nanoseconds, sorted
	stopRound int       // round after which the cell stopped; -1 while it goes on
	precise   bool      // whether it stopped because it was precise (not at Max)
	checked   bool      // whether a check has had an interval
	lastHit   bool      // whether the last check with an interval was precise
}

// NewStopper returns the Stopper of plan p, or nil if p's config has no
// adaptive repeats (Config.Adaptive).
func NewStopper(p *Plan) *Stopper {
	a := p.Config.Adaptive
	if a == nil {
		return nil
	}
	s := &Stopper{a: *a, warmup: p.Config.Warmup, cells: make([]stopCell, len(p.Cells))}
	for i := range s.cells {
		s.cells[i].stopRound = -1
	}
	return s
}

// Skip reports whether st is not to be run: its cell stopped after an
// earlier round. Steps out of the plan's cells are never skipped.
func (s *Stopper) Skip(st Step) bool {
	if st.Cell < 0 || st.Cell >= len(s.cells) {
		return false
	}
	c := &s.cells[st.Cell]
	return c.stopRound >= 0 && st.Rep > c.stopRound
}

// Add feeds the emitted trial t to the stopper and reports whether it
// stopped t's cell.
func (s *Stopper) Add(t *Trial) (stopped bool) {
	if t.Cell < 0 || t.Cell >= len(s.cells) {
		return false
	}
	c := &s.cells[t.Cell]
	if c.stopRound >= 0 {
		return false
	}
	if !t.Warmup && t.OK && !t.TimedOut {
		x := float64(t.WallNS)
		i, _ := slices.BinarySearch(c.sorted, x)
		c.sorted = slices.Insert(c.sorted, i, x)
		if len(c.sorted) >= s.a.Min {
			prec := s.precision(c.sorted)
			hit := prec <= s.a.Precision
			if hit && (!c.checked || c.lastHit) {
				c.stopRound, c.precise = t.Rep, true
				return true
			}
			if !math.IsInf(prec, 1) {
				c.checked, c.lastHit = true, hit
			}
		}
	}
	if measured := t.Rep - s.warmup + 1; measured >= s.a.Max {
		c.stopRound = t.Rep
		return true
	}
	return false
}

// precision is the precision at StopConfidence of sorted, with the interval's
// indexes cached by sample size.
func (s *Stopper) precision(sorted []float64) float64 {
	n := len(sorted)
	for len(s.lows) <= n {
		s.lows = append(s.lows, -2)
	}
	if s.lows[n] == -2 {
		s.lows[n] = -1
		if lo, _, ok := MedianCI(n, StopConfidence); ok {
			s.lows[n] = lo
		}
	}
	return precisionAt(sorted, s.lows[n], s.lows[n] >= 0)
}

// Adaptive returns the adaptive repeats of run r, read from the config
// stored with it (ConfigYAML): no database column holds them, and
// runs.repeats holds Max. It returns nil when r's repeats were an
// integer, or when its config does not parse with this exp.
func (r Run) Adaptive() *Adaptive {
	// precision is required in the mapping: without the word, no parse.
	if !strings.Contains(r.ConfigYAML, "precision") {
		return nil
	}
	c, err := Parse(r.ConfigPath, []byte(r.ConfigYAML))
	if err != nil {
		return nil
	}
	return c.Adaptive
}
