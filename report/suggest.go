package report

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/scaling"
	"gonum.org/v1/gonum/stat/distuv"
)

// DefaultPrecision is the half-width of a median's interval, over the
// median, that exp suggest plans each cell's repeats for: ±2%.
var DefaultPrecision = 0.02

// SuggestCounts is the fewest distinct worker counts exp suggest plans
// (when that many are allowed): the USL has 3 parameters, and a fourth
// count tests it.
var SuggestCounts = 4

// ErrNoFitToPlan is returned by Suggest when no range and schedule of the
// run has an Amdahl fit to plan from.
var ErrNoFitToPlan = errors.New("no Amdahl fit to plan from")

// Estimate is a quantity with its confidence interval; NaN when unknown.
type Estimate struct{ Value, Low, High float64 }

// GroupPlan is what exp suggest predicts for one range and schedule.
type GroupPlan struct {
	RangeIndex int                 // position of the range in the experiment file
	Range      experiment.Range    // the range, as the fit reports it
	Schedule   experiment.Schedule // the schedule
	Group      string              // the group for people: "80ms of work, static"
	Workers    []int               // the worker counts fitted now
	// B is Amdahl's B with its interval now, and BNext its interval
	// predicted for the next run (the suggested workers and repeats).
	B, BNext Estimate
	// Sigma and Kappa are the USL's σ and κ now (NaN without a USL fit),
	// and SigmaNext and KappaNext their intervals predicted for the next
	// run; lower bounds are clamped at 0, as FitUSL clamps them.
	Sigma, Kappa, SigmaNext, KappaNext Estimate
	// Ranking is every candidate worker count, the one that would narrow
	// B the most first, with B's predicted interval had one more cell of
	// Suggestion.Repeats trials at that count been added to this run.
	Ranking []CountGain
	Err     error // why the group has no plan (no Amdahl fit); the rest is then empty
}

// CountGain is B's predicted interval after one more cell at a worker
// count.
type CountGain struct {
	Workers   int     // the added cell's worker count
	HalfWidth float64 // half the width of B's predicted interval
}

// CellPlan says how many repeats a measured cell needs for Precision.
type CellPlan struct {
	Group   string // the cell's range and schedule, for people
	Workers int    // the cell's worker count
	N       int    // measured trials now
	// HalfWidth is the median's precision now, as the report gives it
	// (CellStats.Precision: the farther end of its interval from the
	// median, over the median); NaN without an interval (fewer than
	// Thresholds.MinN trials).
	HalfWidth float64
	// Needed is about how many trials would bring HalfWidth to Precision,
	// (z 1.2533 CV / Precision)^2 with CV = SE sqrt(N) / (1.2533 median);
	// 0 when none would (the timing resolution alone exceeds it).
	Needed int
	// Precise reports whether HalfWidth is already within Precision (never
	// without an interval).
	Precise bool
}

// Suggestion is exp suggest's answer: where and how often the next run of
// an experiment should measure.
type Suggestion struct {
	Run        experiment.Run
	Confidence float64 // level of every interval
	MaxWorkers int     // the largest worker count considered
	Precision  float64 // the median's half-width aimed at, over the median
	Workers    []int   // the next run's worker counts, ascending, 1 first
	Repeats    int     // the next run's trials per cell
	// RelSigma is the trials' pooled relative spread, a robust standard
	// deviation over the median (1.4826 MAD / median, pooled as variances
	// over N-1 degrees of freedom), that the predictions assume for every
	// cell, with the timing Resolution as a floor on each median's SE; a
	// fraction.
	RelSigma float64
	// Seconds is about how long the next run's trials would take, warmups
	// included, by the fitted Amdahl laws (0 without them).
	Seconds float64
	Groups  []GroupPlan // one per fit, in plan order
	Cells   []CellPlan  // one per measured cell, in plan order
	Notes   []string    // caveats for people
}

// Suggest plans the next run from rep: worker counts from 1 to maxWorkers
// chosen by scaling.Greedy to narrow Amdahl's B (and the USL's σ and κ) of
// every range and schedule together, at least SuggestCounts of them or as
// many as a fit has now; and repeats per cell: at least the run's, at
// least Thresholds.MinN, and enough for the median of every cell measured
// to reach ±precision (CellPlan.Needed; precision is a fraction). The
// predictions linearise each fit at its estimates (scaling.Design), assume
// every cell's trials spread as the run's did (Suggestion.RelSigma, with
// the timing Resolution as a floor on each median's SE), and carry over a
// fit's lack-of-fit widening. It returns ErrWeakScaling for a weak-scaling
// run and ErrNoFitToPlan when no group has an Amdahl fit.
func Suggest(rep *Report, maxWorkers int, precision float64) (*Suggestion, error) {
	if weak(rep.Run) {
		return nil, fmt.Errorf("run %d: %w (exp suggest plans strong-scaling runs)", rep.Run.ID, ErrWeakScaling)
	}
	th := rep.Thresholds
	s := &Suggestion{Run: rep.Run, Confidence: th.Confidence, MaxWorkers: maxWorkers, Precision: precision, Repeats: max(rep.Run.Repeats, th.MinN)}
	z := distuv.UnitNormal.Quantile(1 - (1-th.Confidence)/2)
	var sum, dof float64
	for _, c := range rep.Cells {
		cp := CellPlan{Group: rep.Label(c.Range) + ", " + string(c.Schedule), Workers: c.Workers, N: c.N, HalfWidth: c.Precision}
		if c.N < 2 || missing(c.spread) {
			// Too few trials to tell their spread: listed, never precise.
			cp.HalfWidth, cp.Needed = math.NaN(), max(th.MinN, s.Repeats)
			s.Cells = append(s.Cells, cp)
			continue
		}
		rel := c.spread
		sum += float64(c.N-1) * rel * rel
		dof += float64(c.N - 1)
		// Precise only with the report's interval of the median, which
		// needs Thresholds.MinN trials.
		cp.Precise = c.N >= th.MinN && !missing(c.Precision) && c.Precision <= precision
		if z*th.Resolution/c.Median <= precision {
			cp.Needed = max(1, scaling.RepeatsForPrecision(rel, precision, th.Confidence))
		}
		s.Repeats = max(s.Repeats, min(cp.Needed, experiment.MaxRepeats))
		s.Cells = append(s.Cells, cp)
	}
	if dof > 0 {
		s.RelSigma = math.Sqrt(sum / dof)
	}
	candidates := make([]float64, maxWorkers)
	for i := range candidates {
		candidates[i] = float64(i + 1)
	}
	var designs []scaling.Design
	var plans []int // index into s.Groups of each pair of designs
	counts := 0
	for _, f := range rep.Fits {
		g := GroupPlan{RangeIndex: f.RangeIndex, Range: f.Range, Schedule: f.Schedule, Group: rep.Label(f.Range) + ", " + string(f.Schedule),
			Workers: fitWorkers(rep, f), Err: f.AmdahlErr}
		counts = max(counts, len(g.Workers))
		s.Groups = append(s.Groups, g)
		if f.AmdahlErr != nil {
			continue
		}
		am := f.Amdahl.Amdahl
		if f.Amdahl.B < 0 {
			// T(p) = a + b/p with a < 0 reaches 0 at a finite p, where the
			// linearised model would call a cell infinitely informative.
			s.Groups[len(s.Groups)-1].Err = fmt.Errorf("%w: B = %.3g < 0 (the medians fall faster than 1/p: superlinear, or noise), so the model cannot say where to measure; repeat the run with more repeats",
				ErrNoFitToPlan, f.Amdahl.B)
			continue
		}
		relSE := func(p float64, n int) float64 {
			return scaling.MedianRelSE(s.RelSigma, n, th.Resolution/am.Time(p))
		}
		designs = append(designs, scaling.AmdahlDesign(am, relSE), scaling.USLDesign(uslAt(f), relSE))
		plans = append(plans, len(s.Groups)-1)
	}
	if len(designs) == 0 {
		err := ErrNoFitToPlan
		if len(s.Groups) > 0 && s.Groups[0].Err != nil {
			err = s.Groups[0].Err
			if !errors.Is(err, ErrNoFitToPlan) {
				err = fmt.Errorf("%w: %w", ErrNoFitToPlan, err)
			}
		}
		return nil, fmt.Errorf("run %d: %w (it needs cells of at least 2 worker counts with 2 or more trials each)", rep.Run.ID, err)
	}
	for _, w := range scaling.Greedy(designs, candidates, []float64{1}, min(max(SuggestCounts, counts), maxWorkers), s.Repeats) {
		s.Workers = append(s.Workers, int(w))
	}
	next := scaling.Uniform(floats(s.Workers), s.Repeats)
	for i, gi := range plans {
		s.Groups[gi].predict(rep, rep.Fits[gi], designs[2*i], designs[2*i+1], next, candidates, s.Repeats)
		for _, w := range s.Workers {
			s.Seconds += float64(s.Repeats+rep.Run.Warmup) * designs[2*i].Mean(float64(w))
		}
	}
	for _, c := range rep.Cells {
		if c.Invocations > 1 && c.BetweenSD > c.WithinSD {
			s.Notes = append(s.Notes, fmt.Sprintf("the trials ran in %d processes, and they differ more between processes than within them (%s, first in %s, %s): more repeats narrow neither; more invocations do",
				c.Invocations, "BETWEEN SD > WITHIN SD", rep.Label(c.Range)+", "+string(c.Schedule), plural(c.Workers, "worker")))
			break
		}
	}
	if rep.Run.CPUBound && maxWorkers > rep.UsableCPUs {
		s.Notes = append(s.Notes, fmt.Sprintf("the kernel is CPU-bound and run %d had %d usable CPUs: run the plan on a machine with at least %d, or its larger counts will run at p = %d",
			rep.Run.ID, rep.UsableCPUs, s.Workers[len(s.Workers)-1], rep.UsableCPUs))
	}
	return s, nil
}

// predict fills g's estimates now and for the next run, and its ranking.
func (g *GroupPlan) predict(rep *Report, f Fit, amdahl, usl scaling.Design, next []scaling.DesignCell, candidates []float64, repeats int) {
	conf := rep.Thresholds.Confidence
	a := f.Amdahl
	g.B = Estimate{a.B, a.BLow, a.BHigh}
	g.Sigma, g.Kappa = Estimate{math.NaN(), math.NaN(), math.NaN()}, Estimate{math.NaN(), math.NaN(), math.NaN()}
	uslScale := 1.0
	if f.USLErr == nil {
		g.Sigma, g.Kappa = Estimate{f.USL.Sigma, f.USL.SigmaLow, f.USL.SigmaHigh}, Estimate{f.USL.Kappa, f.USL.KappaLow, f.USL.KappaHigh}
		uslScale = lackOfFitScale(f.USL.ChiSq, f.USL.DoF)
	}
	q := scaling.Quantile(repeats, conf)
	bHalf := func(cells []scaling.DesignCell, n int) float64 {
		return scaling.Quantile(n, conf) * math.Sqrt(lackOfFitScale(a.ChiSq, a.DoF)*amdahl.Variances(cells)[0])
	}
	h := bHalf(next, repeats)
	g.BNext = Estimate{a.B, a.B - h, a.B + h}
	vu := usl.Variances(next)
	hs, hk := q*math.Sqrt(uslScale*vu[0]), q*math.Sqrt(uslScale*vu[1])
	u := uslAt(f) // the σ and κ the design was linearised at
	g.SigmaNext = Estimate{u.Sigma, max(0, u.Sigma-hs), u.Sigma + hs}
	g.KappaNext = Estimate{u.Kappa, max(0, u.Kappa-hk), u.Kappa + hk}

	// The current cells, as the fit saw them, plus one more cell each.
	var now []scaling.DesignCell
	nmin := 0
	for _, j := range f.cells {
		if c := rep.Cells[j]; c.InFit {
			now = append(now, scaling.DesignCell{P: float64(c.Processors), N: c.N})
			if nmin == 0 || c.N < nmin {
				nmin = c.N
			}
		}
	}
	for _, p := range candidates {
		cells := append(slices.Clone(now), scaling.DesignCell{P: p, N: repeats})
		g.Ranking = append(g.Ranking, CountGain{Workers: int(p), HalfWidth: bHalf(cells, min(nmin, repeats))})
	}
	slices.SortStableFunc(g.Ranking, func(x, y CountGain) int {
		switch {
		case x.HalfWidth < y.HalfWidth:
			return -1
		case x.HalfWidth > y.HalfWidth:
			return 1
		}
		return y.Workers - x.Workers
	})
}

// uslAt is the USL that exp suggest linearises for f: the fitted one, or
// Amdahl's law in throughput form (σ = B, κ = 0) without a USL fit.
func uslAt(f Fit) scaling.USL {
	if f.USLErr == nil {
		return f.USL.USL
	}
	return scaling.USL{Sigma: max(0, f.Amdahl.B), Lambda: float64(f.Range.Count) / f.Amdahl.T1}
}

// lackOfFitScale is the factor by which a weighted fit widened its
// covariance, max(1, ChiSq/DoF); 1 without degrees of freedom.
func lackOfFitScale(chisq float64, dof int) float64 {
	if dof <= 0 || math.IsNaN(chisq) {
		return 1
	}
	return max(1, chisq/float64(dof))
}

// fitWorkers are the distinct worker counts of the cells in f's fit.
func fitWorkers(rep *Report, f Fit) []int {
	var ws []int
	for _, j := range f.cells {
		if c := rep.Cells[j]; c.InFit && !slices.Contains(ws, c.Workers) {
			ws = append(ws, c.Workers)
		}
	}
	slices.Sort(ws)
	return ws
}

func floats(xs []int) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x)
	}
	return out
}
