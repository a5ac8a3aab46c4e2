package report

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/exp-tool/exp/experiment"
	"gonum.org/v1/gonum/stat/distuv"
)

// twoLevel draws k groups of n values y = mu + b_i + e_ij, b_i ~
// N(0, sb^2), e_ij ~ N(0, sw^2).
func twoLevel(rng *rand.Rand, k, n int, mu, sb, sw float64) [][]float64 {
	gs := make([][]float64, k)
	for i := range gs {
		b := sb * rng.NormFloat64()
		for range n {
			gs[i] = append(gs[i], mu+b+sw*rng.NormFloat64())
		}
	}
	return gs
}

func TestVarianceComponentsOf(t *testing.T) {
	t.Run("HandComputed", func(t *testing.T) {
		// Group means 2 and 5, grand mean 3.5: SSB = 3*1.5^2*2 = 13.5,
		// SSW = 2 + 2 = 4; MSB = 13.5, MSW = 1, n0 = 3, sigma_b^2 = 12.5/3.
		v, err := VarianceComponentsOf([][]float64{{1, 2, 3}, {4, 5, 6}, {}})
		if err != nil {
			t.Fatal(err)
		}
		if v.Groups != 2 || v.N != 6 || v.MSB != 13.5 || v.MSW != 1 || v.N0 != 3 || math.Abs(v.Between-12.5/3) > 1e-12 || v.Within != 1 {
			t.Errorf("got %+v", v)
		}
	})
	t.Run("NoBetweenIsZero", func(t *testing.T) {
		v, err := VarianceComponentsOf([][]float64{{1, 3}, {1, 3}, {1, 3}})
		if err != nil || v.Between != 0 || v.Within != 2 {
			t.Errorf("got %+v, %v; want between 0 (clamped), within 2", v, err)
		}
	})
	t.Run("ErrTooFewInvocations", func(t *testing.T) {
		for _, gs := range [][][]float64{{{1, 2, 3}}, {{1}, {2}}, nil} {
			if _, err := VarianceComponentsOf(gs); err != ErrTooFewInvocations {
				t.Errorf("%v: err %v, want ErrTooFewInvocations", gs, err)
			}
		}
	})
	t.Run("KnownComponents", func(t *testing.T) {
		// Method-of-moments estimates are unbiased: their average over many
		// simulated cells must come near the true sigma_b^2 = 4 and
		// sigma_w^2 = 1. Unequal groups (8 and 12 values) test n0. Over 400
		// cells of 12 groups the standard error of the mean estimate is
		// about 0.09 for sigma_b^2 (sd of one estimate about 1.8) and 0.005
		// for sigma_w^2, so 5% (0.2) and 2% (0.02) bounds leave > 2 SEs.
		rng := rand.New(rand.NewPCG(1, 2))
		var between, within float64
		const reps = 400
		for range reps {
			gs := twoLevel(rng, 6, 8, 10, 2, 1)
			gs = append(gs, twoLevel(rng, 6, 12, 10, 2, 1)...)
			v, err := VarianceComponentsOf(gs)
			if err != nil {
				t.Fatal(err)
			}
			between += v.Between / reps
			within += v.Within / reps
		}
		if math.Abs(between-4)/4 > 0.05 || math.Abs(within-1) > 0.02 {
			t.Errorf("mean estimates between %.3f, within %.3f; want 4 and 1", between, within)
		}
	})
}

// TestHierarchicalMedianCICoverage simulates cells of a two-level model
// with the between-process SD equal to the within one and checks how often
// each interval holds the true median, mu (the model is symmetric): the
// hierarchical bootstrap near the nominal 95%, the trial-level (naive)
// bootstrap far below it, which is why exp uses the first with
// invocations > 1.
func TestHierarchicalMedianCICoverage(t *testing.T) {
	reps, resamples := 400, 500
	if testing.Short() {
		reps = 150
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var hier, naive int
	for r := range reps {
		gs := twoLevel(rng, 10, 8, 1, 0.05, 0.05)
		lo, hi, _ := HierarchicalMedianCI(gs, 0.95, resamples, uint64(r))
		if lo <= 1 && 1 <= hi {
			hier++
		}
		if lo, hi := NaiveMedianCI(gs, 0.95, resamples, uint64(r)); lo <= 1 && 1 <= hi {
			naive++
		}
	}
	h, nv := float64(hier)/float64(reps), float64(naive)/float64(reps)
	t.Logf("coverage of the true median over %d cells of 10 invocations x 8 trials: hierarchical %.3f, naive %.3f", reps, h, nv)
	if h < 0.90 || h > 0.98 {
		t.Errorf("hierarchical bootstrap covers %.3f, want 0.90-0.98", h)
	}
	if nv > 0.80 {
		t.Errorf("naive bootstrap covers %.3f; with between = within SD it should undercover (< 0.80)", nv)
	}
}

func TestHierarchicalMedianCIDeterministic(t *testing.T) {
	gs := twoLevel(rand.New(rand.NewPCG(5, 6)), 5, 6, 1, 0.1, 0.1)
	a1, b1, s1 := HierarchicalMedianCI(gs, 0.95, 300, 9)
	a2, b2, s2 := HierarchicalMedianCI(gs, 0.95, 300, 9)
	if a1 != a2 || b1 != b2 || s1 != s2 || !(a1 < b1) {
		t.Errorf("two calls gave [%g, %g] sd %g and [%g, %g] sd %g", a1, b1, s1, a2, b2, s2)
	}
	if lo, _, _ := HierarchicalMedianCI(gs[:1], 0.95, 300, 9); !math.IsNaN(lo) {
		t.Errorf("one group: lo %g, want NaN", lo)
	}
}

// TestFewProcessesNoInterval: a cell of 3 processes gets no interval (the
// bootstrap over so few undercovers badly) and a warning; one of 8 gets
// the bootstrap's, and its precision is that interval's.
func TestFewProcessesNoInterval(t *testing.T) {
	for _, k := range []int{3, 8} {
		rng := rand.New(rand.NewPCG(uint64(k), 9))
		run := experiment.Run{ID: 1, Status: experiment.StatusDone, Kernel: "synthetic", Scaling: experiment.ScalingStrong, Seed: 5,
			Repeats: 6 * k, ProcessInvocations: k}
		cells := []experiment.Cell{{Range: experiment.Range{Count: 1000}, Schedule: experiment.Static, Workers: 1}}
		var trials []experiment.Trial
		for p, g := range twoLevel(rng, k, 6, 0.1, 0.005, 0.002) {
			for _, x := range g {
				trials = append(trials, experiment.Trial{Step: experiment.Step{Seq: len(trials), Invocation: p}, WallNS: int64(x * 1e9), OK: true})
			}
		}
		c := Build(run, cells, trials, DefaultThresholds).Cells[0]
		few := slices.ContainsFunc(c.notes, func(e error) bool { return errors.Is(e, ErrFewInvocations) })
		switch {
		case k < MinIntervalInvocations && (!math.IsNaN(c.CILow) || !math.IsNaN(c.Precision) || !few):
			t.Errorf("%d processes: CI [%g, %g], precision %g, few-invocations note %v; want no interval and the note", k, c.CILow, c.CIHigh, c.Precision, few)
		case k >= MinInvocations && (math.IsNaN(c.CILow) || few ||
			c.Precision != experiment.RelativeHalfWidth(c.Median, c.CILow, c.CIHigh) || c.CIMethod != CIHierarchicalBootstrap):
			t.Errorf("%d processes: CI [%g, %g] by %s, precision %g, note %v; want the bootstrap's interval and its precision", k, c.CILow, c.CIHigh, c.CIMethod, c.Precision, few)
		}
	}
}

// NaiveMedianCI is the percentile bootstrap interval of the median of the
// pooled values, resampling trials only, as if every trial came from one
// process. It is here to show, in tests, what HierarchicalMedianCI fixes:
// with between-process variation it is too narrow.
func NaiveMedianCI(groups [][]float64, level float64, resamples int, seed uint64) (lo, hi float64) {
	var all []float64
	for _, g := range groups {
		all = append(all, g...)
	}
	if len(all) < 2 {
		return math.NaN(), math.NaN()
	}
	rng := rand.New(rand.NewPCG(seed, 0x6865722d626f6f74))
	meds := make([]float64, resamples)
	buf := make([]float64, len(all))
	for b := range meds {
		for i := range buf {
			buf[i] = all[rng.IntN(len(all))]
		}
		meds[b] = medianInPlace(buf)
	}
	lo, hi, _ = percentileInterval(meds, level)
	return lo, hi
}

// TestFewProcessesSpeedup: the speedup of cells split over 3 processes gets
// no interval (their medians get none) and says why; over 8 processes its
// t quantile counts processes (7 degrees of freedom), not the 48 trials.
func TestFewProcessesSpeedup(t *testing.T) {
	for _, k := range []int{3, 8} {
		rng := rand.New(rand.NewPCG(uint64(k), 11))
		run := experiment.Run{ID: 1, Status: experiment.StatusDone, Kernel: "synthetic", Scaling: experiment.ScalingStrong, Seed: 5,
			Repeats: 6 * k, ProcessInvocations: k}
		cells := []experiment.Cell{
			{Range: experiment.Range{Count: 1000}, Schedule: experiment.Static, Workers: 1},
			{Range: experiment.Range{Count: 1000}, Schedule: experiment.Static, Workers: 2},
		}
		var trials []experiment.Trial
		for ci, mu := range []float64{0.2, 0.11} {
			for p, g := range twoLevel(rng, k, 6, mu, 0.005, 0.002) {
				for _, x := range g {
					trials = append(trials, experiment.Trial{Step: experiment.Step{Seq: len(trials), Cell: ci, Invocation: p}, WallNS: int64(x * 1e9), OK: true})
				}
			}
		}
		c := Build(run, cells, trials, DefaultThresholds).Cells[1]
		few := slices.ContainsFunc(c.notes, func(e error) bool { return errors.Is(e, ErrFewInvocations) && strings.Contains(e.Error(), "speedup") })
		if k < MinIntervalInvocations {
			if !math.IsNaN(c.SpeedupLow) || !few || math.IsNaN(c.Speedup) {
				t.Errorf("%d processes: speedup %g [%g, %g], note %v; want a speedup without an interval, and the note", k, c.Speedup, c.SpeedupLow, c.SpeedupHigh, few)
			}
			continue
		}
		q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(k - 1)}.Quantile(0.975)
		if got, want := math.Log(c.SpeedupHigh/c.Speedup), q*c.speedupSE/c.Speedup; math.Abs(got-want) > 1e-9*want || few {
			t.Errorf("%d processes: log(high/S) = %g, want t(%d) x se = %g (note %v)", k, got, k-1, want, few)
		}
	}
}

// BenchmarkHierarchicalMedianCI is one cell of 8 processes of 2,500 trials
// each (the bootstrap of a cell of a large invocations run).
func BenchmarkHierarchicalMedianCI(b *testing.B) {
	groups := twoLevel(rand.New(rand.NewPCG(1, 2)), 8, 2500, 0.1, 0.005, 0.002)
	for b.Loop() {
		HierarchicalMedianCI(groups, 0.95, DefaultBootstrapResamples, 3)
	}
}
