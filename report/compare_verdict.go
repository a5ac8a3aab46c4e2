package report

import (
	"fmt"
	"math"
	"strings"
)

// fits pairs the Amdahl fits of the two runs by range and schedule and
// tests whether their serial fractions agree.
func (c *Comparison) fits() {
	for _, fa := range c.A.Fits {
		i := -1
		for j, fb := range c.B.Fits {
			if fb.Range == fa.Range && fb.Schedule == fa.Schedule {
				i = j
				break
			}
		}
		if i < 0 {
			continue
		}
		fb := c.B.Fits[i]
		nan := math.NaN()
		d := FitDiff{Range: fa.Range, Schedule: fa.Schedule, A: fa, B: fb, Diff: nan, DiffLow: nan, DiffHigh: nan, Agree: true}
		switch {
		case fa.AmdahlErr != nil || fb.AmdahlErr != nil:
			d.Warnings = append(d.Warnings, fmt.Errorf("B not compared: %s", noFitReason(fa, fb)))
		default:
			a, b := fa.Amdahl, fb.Amdahl
			d.Diff = b.B - a.B
			sa, sb := (a.BHigh-a.BLow)/(2*a.Quantile), (b.BHigh-b.BLow)/(2*b.Quantile)
			if math.IsNaN(sa) || math.IsNaN(sb) {
				d.Warnings = append(d.Warnings, fmt.Errorf("B not compared: a fit has no interval"))
				break
			}
			// The larger quantile: conservative beside a Welch–Satterthwaite
			// one, and simple to state.
			half := max(a.Quantile, b.Quantile) * math.Hypot(sa, sb)
			d.DiffLow, d.DiffHigh = d.Diff-half, d.Diff+half
			d.Agree = d.DiffLow <= 0 && 0 <= d.DiffHigh
		}
		c.Fits = append(c.Fits, d)
	}
}

func noFitReason(a, b Fit) string {
	switch {
	case a.AmdahlErr != nil && b.AmdahlErr != nil:
		return "neither run has an Amdahl fit: " + a.AmdahlErr.Error()
	case a.AmdahlErr != nil:
		return "run A has no Amdahl fit: " + a.AmdahlErr.Error()
	}
	return "run B has no Amdahl fit: " + b.AmdahlErr.Error()
}

// verdict reads the comparison as a reproduction of A by B: reproduced
// when every cell of A has a counterpart with data in B, no matched cell's
// median differs significantly by more than the threshold (nor moves by
// more than the threshold with too few trials to test it), and every pair
// of fitted B agrees (the interval of their difference contains 0).
func (c *Comparison) verdict() Verdict {
	var problems []string
	differ, untested, missing := 0, 0, 0
	for _, d := range c.Cells {
		switch {
		case math.IsNaN(d.Delta):
			missing++
		case d.Differs:
			differ++
		case hasWarning(d.Warnings, ErrTooFewForTest) && math.Abs(d.Delta) >= c.Options.Threshold:
			// Changed by more than the threshold, and too few trials to say
			// whether by chance: not evidence of a reproduction.
			untested++
		}
	}
	total := len(c.Cells) + len(c.OnlyA) + len(c.OnlyB)
	if differ > 0 {
		problems = append(problems, fmt.Sprintf("%d of %d cells differ", differ, total))
	}
	if untested > 0 {
		problems = append(problems, fmt.Sprintf("%d of %d cells moved by more than %g%% with too few trials to test it", untested, total, c.Options.Threshold*100))
	}
	if n := missing + len(c.OnlyA) + len(c.OnlyB); n > 0 {
		problems = append(problems, fmt.Sprintf("%d of %d cells could not be compared", n, total))
	}
	var fits []string
	for _, f := range c.Fits {
		if !f.Agree {
			fits = append(fits, fmt.Sprintf("%s %s (%.4f vs %.4f)", f.Range, f.Schedule, f.A.Amdahl.B, f.B.Amdahl.B))
		}
	}
	if len(fits) > 0 {
		problems = append(problems, "B differs for "+strings.Join(fits, ", "))
	}
	if total == 0 {
		problems = append(problems, "no cells to compare")
	}
	for _, r := range []*Report{c.A, c.B} {
		if r.Run.Status != "done" {
			problems = append(problems, fmt.Sprintf("run %d is %s", r.Run.ID, r.Run.Status))
		}
	}
	var unfit []string
	for _, f := range c.Fits {
		if math.IsNaN(f.Diff) {
			unfit = append(unfit, fmt.Sprintf("%s %s", f.Range, f.Schedule))
		}
	}
	if len(problems) == 0 {
		line := "reproduced"
		if n := countIf(c.Cells, func(d CellDiff) bool { return hasWarning(d.Warnings, ErrTooFewForTest) }); n > 0 {
			line += fmt.Sprintf(" (%d of %d cells within %g%% but with too few trials for the U test)", n, total, c.Options.Threshold*100)
		}
		if len(unfit) > 0 {
			line += fmt.Sprintf(" (B not compared for %s: no fit in a run)", strings.Join(unfit, ", "))
		}
		return Verdict{Reproduced: true, Line: line}
	}
	return Verdict{Line: "not reproduced: " + strings.Join(problems, "; ")}
}
