package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/exp-tool/exp/experiment"
)

// Outcome is the verdict of an expectation on one group or cell.
type Outcome string

// The outcomes, from best to worst for exp check's exit status: a failure
// outranks an inconclusive verdict.
const (
	Pass         Outcome = "pass"         // the whole confidence interval satisfies the expectation
	Inconclusive Outcome = "inconclusive" // the interval straddles the threshold, or the quantity is missing
	Fail         Outcome = "fail"         // the whole confidence interval violates the expectation
)

// CheckVerdict is an expectation judged on one fit (b) or one cell (speedup,
// efficiency) of a report.
type CheckVerdict struct {
	Expectation experiment.Expectation
	// RangeIndex and Schedule name the group judged; RangeIndex is -1
	// when no group or cell has the quantity at all.
	RangeIndex int
	Range      experiment.Range
	Schedule   experiment.Schedule
	Group      string  // the group for people: "80ms of work, chunked"; "" when none
	Value      float64 // the point estimate; NaN when missing
	// Low and High are Value's confidence interval at the report's
	// Confidence; NaN when missing.
	Low, High float64
	N         int // measured trials per cell behind the value (the fewest); 0 when unknown
	Outcome   Outcome
	Note      string // why inconclusive, and what would decide it; "" for pass and fail
	// Repeats is, for an inconclusive verdict with an interval, about how
	// many trials per cell would make the interval clear the threshold,
	// n (h/d)^2 rounded up (h the interval's half on the threshold's side,
	// d the distance of the estimate to the threshold; the interval
	// narrows as 1/sqrt(n)); 0 when no number is likely to decide it.
	Repeats int
}

// Judge checks e against every group of rep (b: each fit's Amdahl B) or
// every cell with e.Workers workers (speedup, efficiency), one CheckVerdict
// each, in plan order. A quantity that is missing everywhere is one
// inconclusive CheckVerdict saying why.
func Judge(rep *Report, e experiment.Expectation) []CheckVerdict {
	var out []CheckVerdict
	none := func(why string) []CheckVerdict {
		nan := math.NaN()
		return []CheckVerdict{{Expectation: e, RangeIndex: -1, Value: nan, Low: nan, High: nan, Outcome: Inconclusive, Note: why}}
	}
	if e.Quantity == experiment.QuantityB {
		for _, f := range rep.Fits {
			v := CheckVerdict{Expectation: e, RangeIndex: f.RangeIndex, Range: f.Range, Schedule: f.Schedule, Group: rep.Label(f.Range) + ", " + string(f.Schedule)}
			if f.AmdahlErr != nil {
				nan := math.NaN()
				v.Value, v.Low, v.High, v.Outcome, v.Note = nan, nan, nan, Inconclusive, "no Amdahl fit: "+f.AmdahlErr.Error()
				out = append(out, v)
				continue
			}
			for _, j := range f.cells {
				if c := rep.Cells[j]; c.InFit && (v.N == 0 || c.N < v.N) {
					v.N = c.N
				}
			}
			out = append(out, decide(v, f.Amdahl.B, f.Amdahl.BLow, f.Amdahl.BHigh))
		}
		if len(out) == 0 {
			return none("the run has no fits")
		}
		return out
	}
	for _, c := range rep.Cells {
		if c.Workers != e.Workers {
			continue
		}
		v := CheckVerdict{Expectation: e, RangeIndex: c.RangeIndex, Range: c.Range, Schedule: c.Schedule, Group: rep.Label(c.Range) + ", " + string(c.Schedule), N: c.N}
		val, lo, hi := c.Speedup, c.SpeedupLow, c.SpeedupHigh
		if e.Quantity == experiment.QuantityEfficiency {
			w := float64(c.Workers)
			val, lo, hi = val/w, lo/w, hi/w
		}
		v.Value, v.Low, v.High = val, lo, hi
		if missing(val) || missing(lo) || missing(hi) {
			why := "no " + string(e.Quantity)
			if !missing(val) {
				why = "no confidence interval"
			}
			if len(c.notes) > 0 {
				why += ": " + joinWarnings(c.notes)
			} else if c.N == 0 {
				why += ": the cell has no measured trials"
			}
			v.Outcome, v.Note = Inconclusive, why
			out = append(out, v)
			continue
		}
		out = append(out, decide(v, val, lo, hi))
	}
	if len(out) == 0 {
		return none(fmt.Sprintf("no cell with %d workers (the run's workers: %s)", e.Workers, workerList(rep)))
	}
	return out
}

// decide fills v's value, interval, outcome and, when inconclusive, the
// note and the suggested repeats.
func decide(v CheckVerdict, val, lo, hi float64) CheckVerdict {
	e := v.Expectation
	v.Value, v.Low, v.High = val, lo, hi
	if missing(val) || missing(lo) || missing(hi) {
		v.Outcome, v.Note = Inconclusive, "no confidence interval"
		return v
	}
	okLo, okHi := e.Op.Holds(lo, e.Threshold), e.Op.Holds(hi, e.Threshold)
	switch {
	case okLo && okHi:
		v.Outcome = Pass
		return v
	case !okLo && !okHi:
		v.Outcome = Fail
		return v
	}
	v.Outcome = Inconclusive
	d := math.Abs(val - e.Threshold)
	h := val - lo
	if e.Threshold > val {
		h = hi - val
	}
	if d == 0 || v.N == 0 {
		v.Note = fmt.Sprintf("the interval contains %g; the estimate is on the threshold, so no number of repeats is likely to decide it", e.Threshold)
		if d != 0 {
			v.Note = fmt.Sprintf("the interval contains %g; the trials per cell are unknown, so exp cannot say how many repeats would decide it", e.Threshold)
		}
		return v
	}
	v.Repeats = int(math.Ceil(float64(v.N) * (h / d) * (h / d)))
	likely := "fail"
	if e.Op.Holds(val, e.Threshold) {
		likely = "pass"
	}
	v.Note = fmt.Sprintf("the interval contains %g; about %d repeats per cell (now %d) would likely %s", e.Threshold, v.Repeats, v.N, likely)
	return v
}

// workerList renders the distinct worker counts of rep's cells: "1, 2, 4".
func workerList(rep *Report) string {
	var ws []string
	seen := map[int]bool{}
	for _, c := range rep.Cells {
		if !seen[c.Workers] {
			seen[c.Workers] = true
			ws = append(ws, fmt.Sprint(c.Workers))
		}
	}
	if len(ws) == 0 {
		return "none"
	}
	return strings.Join(ws, ", ")
}

// Worst is the outcome of a whole check: Fail if any verdict fails, else
// Inconclusive if any is, else Pass (also for no verdicts).
func Worst(vs []CheckVerdict) Outcome {
	out := Pass
	for _, v := range vs {
		switch v.Outcome {
		case Fail:
			return Fail
		case Inconclusive:
			out = Inconclusive
		}
	}
	return out
}
