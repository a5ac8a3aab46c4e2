package scaling

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"
)

// KarpFlatt is the experimentally determined serial fraction of a speedup s
// on p processors, e = (1/s - 1/p) / (1 - 1/p) (Karp & Flatt 1990). Under
// Amdahl's law e is the serial fraction B at every p. It is NaN for p <= 1,
// where it is undefined.
func KarpFlatt(s, p float64) float64 {
	if !(p > 1) {
		return math.NaN()
	}
	return (1/s - 1/p) / (1 - 1/p)
}

// KarpFlattPoint is the Karp–Flatt serial fraction at one processor count.
type KarpFlattPoint struct {
	P float64 // processors, > 1
	E float64 // serial fraction e, KarpFlatt(S, P); a fraction, no unit
	// Low and High bound e at the speedup's confidence level, mapped from
	// the speedup's interval: e decreases in S, so Low = KarpFlatt(S.High)
	// and High = KarpFlatt(S.Low) (+Inf when S.Low <= 0). NaN when the
	// speedup has no interval.
	Low, High float64
}

// KarpFlattTrend is how the Karp–Flatt serial fraction changes with the
// processor count, which tells Amdahl's law (flat) from growing overhead
// (rising).
type KarpFlattTrend struct {
	Points []KarpFlattPoint // one per speedup with P > 1, in input order
	// Verdict is "flat" (a constant serial fraction: Amdahl's assumption
	// holds), "rising" (overhead grows with p: the USL is the right model),
	// "falling" (e shrinks with p, as superlinear effects make it) or
	// "untestable".
	Verdict string
	// Slope is de/dp, per processor, and [SlopeLow, SlopeHigh] its interval
	// at Confidence. Slope is NaN with fewer than two distinct processor
	// counts above 1; the bounds are NaN whenever the verdict is untestable.
	Slope, SlopeLow, SlopeHigh float64
	Confidence                 float64 // level of the slope's interval, e.g. 0.95
	Reason                     string  // one sentence for the user: the verdict, its numbers and what it means
	Warnings                   []error // caveats; test with errors.Is against the sentinels
}

// KarpFlattAnalysis computes the Karp–Flatt serial fraction e at each
// speedup with P > 1 and tests its trend by a weighted linear regression of
// e on p. The weights are 1/se^2, with se = (High-Low)/(2z) from each e's
// interval (z the normal quantile at the speedup's Confidence), when every
// e has one; equal otherwise. The slope's interval at level conf uses
// Student's t on k-2 degrees of freedom (k points) and the residual
// variance; with exactly two points and intervals, it uses their standard
// errors and the normal quantile. The verdict is "rising" when the interval
// lies above 0, "falling" when below, and "flat" otherwise; a change of e
// by less than 1e-9 across the measured range is rounding, and counts as
// flat.
//
// With fewer than two distinct counts above 1 the verdict is "untestable":
// with p = {1, 2} only, e(2) is exactly the B of Amdahl's law fitted
// through the two points, not an independent number. Two points without
// intervals are untestable too. A speedup with P < 1, or with S not
// positive and finite, is skipped with an ErrBadPoint warning; a bad conf
// makes the verdict untestable with an ErrBadConfidence warning. It warns
// ErrOutOfRange when any e lies outside [0, 1].
func KarpFlattAnalysis(speedups []SpeedupPoint, conf float64) KarpFlattTrend {
	nan := math.NaN()
	tr := KarpFlattTrend{Verdict: "untestable", Slope: nan, SlopeLow: nan, SlopeHigh: nan, Confidence: conf}
	var se []float64 // standard error of each e, while every e has one
	var outside []string
	for i, sp := range speedups {
		if !(sp.P >= 1) || math.IsInf(sp.P, 0) || !(sp.S > 0) || math.IsInf(sp.S, 0) {
			tr.Warnings = append(tr.Warnings, fmt.Errorf("%w: speedup %d is {P: %g, S: %g}, skipped", ErrBadPoint, i, sp.P, sp.S))
			continue
		}
		if sp.P == 1 {
			continue
		}
		pt := KarpFlattPoint{P: sp.P, E: KarpFlatt(sp.S, sp.P), Low: nan, High: nan}
		if !math.IsNaN(sp.Low) && !math.IsNaN(sp.High) {
			pt.Low, pt.High = KarpFlatt(sp.High, sp.P), math.Inf(1)
			if sp.Low > 0 {
				pt.High = KarpFlatt(sp.Low, sp.P)
			}
		}
		// de/dS = -1/(S^2 (1 - 1/p)), so se(e) = se(S) / (S^2 (1 - 1/p)).
		if e := sp.speedupSE() / (sp.S * sp.S * (1 - 1/sp.P)); !math.IsNaN(e) && (len(tr.Points) == 0 || se != nil) {
			se = append(se, e)
		} else {
			se = nil
		}
		if !(pt.E >= 0 && pt.E <= 1) {
			outside = append(outside, fmt.Sprintf("e(%g) = %.3g", pt.P, pt.E))
		}
		tr.Points = append(tr.Points, pt)
	}
	if len(outside) > 0 {
		tr.Warnings = append(tr.Warnings, fmt.Errorf("%w: %s", ErrOutOfRange, strings.Join(outside, ", ")))
	}
	if !(conf > 0 && conf < 1) {
		tr.Warnings = append(tr.Warnings, fmt.Errorf("%w, got %g", ErrBadConfidence, conf))
		tr.Reason = fmt.Sprintf("the confidence level %g is not in (0, 1), so the trend of e was not tested", conf)
		return tr
	}
	ps := make([]float64, len(tr.Points))
	for i, pt := range tr.Points {
		ps[i] = pt.P
	}
	slices.Sort(ps)
	switch ps = slices.Compact(ps); len(ps) {
	case 0:
		tr.Reason = "no speedup above p = 1, where the Karp–Flatt serial fraction is defined"
		return tr
	case 1:
		tr.Reason = fmt.Sprintf("only one processor count above 1 (p = %g): e(%g) = %.3g is the serial fraction B of Amdahl's law "+
			"fitted through p = 1 and p = %g, not an independent number, so no trend can be tested (measure at least two counts above 1)",
			ps[0], ps[0], tr.Points[0].E, ps[0])
		return tr
	}
	karpFlattSlope(&tr, se, ps[len(ps)-1]-ps[0])
	return tr
}

// karpFlattSlope fits e = a + b p to tr.Points, weighted by 1/se^2 when se
// has one entry per point, and sets the slope, its interval, the verdict
// and the reason. span is the range of p, to tell rounding from a trend.
func karpFlattSlope(tr *KarpFlattTrend, se []float64, span float64) {
	k := len(tr.Points)
	w := make([]float64, k)
	var sw, swx, swe float64
	for i, pt := range tr.Points {
		w[i] = 1
		if len(se) == k {
			w[i] = 1 / (se[i] * se[i])
		}
		sw += w[i]
		swx += w[i] * pt.P
		swe += w[i] * pt.E
	}
	xbar, ebar := swx/sw, swe/sw
	var sxx, sxe float64
	for i, pt := range tr.Points {
		sxx += w[i] * (pt.P - xbar) * (pt.P - xbar)
		sxe += w[i] * (pt.P - xbar) * (pt.E - ebar)
	}
	tr.Slope = sxe / sxx
	var rss float64
	for i, pt := range tr.Points {
		r := pt.E - ebar - tr.Slope*(pt.P-xbar)
		rss += w[i] * r * r
	}
	upper := 1 - (1-tr.Confidence)/2
	var half float64
	switch dof := k - 2; {
	case dof >= 1:
		// Weighted by known errors, the residuals widen the slope's interval
		// only when they scatter more than those errors allow, as in
		// FitAmdahl; unweighted, they are the only estimate of the noise.
		scale := rss / float64(dof)
		if len(se) == k {
			scale = max(1, scale)
		}
		half = distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(dof)}.Quantile(upper) * math.Sqrt(scale/sxx)
	case len(se) == k:
		half = distuv.UnitNormal.Quantile(upper) * math.Sqrt(1/sxx)
	default:
		tr.Reason = fmt.Sprintf("two processor counts above 1 and no intervals for e: the line through e(%g) = %.3g and e(%g) = %.3g "+
			"has no uncertainty to test it by (give the speedups' intervals or measure a third count)",
			tr.Points[0].P, tr.Points[0].E, tr.Points[1].P, tr.Points[1].E)
		return
	}
	tr.SlopeLow, tr.SlopeHigh = tr.Slope-half, tr.Slope+half
	ci := fmt.Sprintf("%g%% CI %.3g to %.3g", 100*tr.Confidence, tr.SlopeLow, tr.SlopeHigh)
	rounding := math.Abs(tr.Slope)*span < 1e-9
	switch {
	case tr.SlopeLow > 0 && !rounding:
		tr.Verdict = "rising"
		tr.Reason = fmt.Sprintf("e rises by %.3g per processor (%s, above 0): overhead grows with p, "+
			"so the USL, not Amdahl's law, is the right model", tr.Slope, ci)
	case tr.SlopeHigh < 0 && !rounding:
		tr.Verdict = "falling"
		tr.Reason = fmt.Sprintf("e falls by %.3g per processor (%s, below 0): each processor adds more than a fixed serial fraction allows "+
			"(superlinear effects such as caches), so neither Amdahl's law nor the USL describes the program", -tr.Slope, ci)
	default:
		slope := fmt.Sprintf("slope %.3g per processor, %s, includes 0", tr.Slope, ci)
		if rounding {
			slope = "its slope is 0 up to rounding"
		}
		tr.Verdict = "flat"
		tr.Reason = fmt.Sprintf("e is flat at about %.3g (%s): a true serial fraction, so Amdahl's assumption holds", ebar, slope)
	}
}
