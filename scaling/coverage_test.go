package scaling

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// scenario is one simulated experiment with a known serial fraction.
type scenario struct {
	b        float64   // true serial fraction
	ps       []float64 // processor count of each cell
	noise    float64   // lognormal sigma of a trial's time
	outliers bool      // whether 10% of trials are 30% slow
}

func (s scenario) String() string {
	return fmt.Sprintf("B=%g/p=%v/noise=%g/outliers=%v", s.b, s.ps, s.noise, s.outliers)
}

// scenarios are the 24 cases of the coverage study: B in {0.05, 0.2};
// p in {1,2,4,8}, {1,2} and {1,2,2} (workers {1,2,4} on 2 CPUs, fitted as
// measured); lognormal noise of 2% and 5%; with and without outliers.
func scenarios() []scenario {
	var out []scenario
	for _, b := range []float64{0.05, 0.2} {
		for _, ps := range [][]float64{{1, 2, 4, 8}, {1, 2}, {1, 2, 2}} {
			for _, noise := range []float64{0.02, 0.05} {
				for _, outliers := range []bool{false, true} {
					out = append(out, scenario{b, ps, noise, outliers})
				}
			}
		}
	}
	return out
}

// simulate draws n trials per cell and returns the cells as Points, the
// way exp reports them: median, MedianSE and n.
func (s scenario) simulate(rng *rand.Rand, n int) []Point {
	const t1 = 0.1
	truth := Amdahl{B: s.b, T1: t1}
	points := make([]Point, len(s.ps))
	xs := make([]float64, n)
	for i, p := range s.ps {
		for k := range xs {
			xs[k] = truth.Time(p) * math.Exp(s.noise*rng.NormFloat64())
			if s.outliers && rng.Float64() < 0.1 {
				xs[k] *= 1.3
			}
		}
		pt := Aggregate(make([]float64, n), xs)[0]
		pt.P = p
		points[i] = pt
	}
	return points
}

// coverageRuns is the number of simulated data sets per scenario.
const coverageRuns = 4000

// TestAmdahlCoverage checks by simulation that B's 95% interval covers the
// true B 93–97.5% of the time in every scenario, that B is unbiased, and
// that the lack-of-fit heuristic rarely fires on data that follow the law.
func TestAmdahlCoverage(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation")
	}
	for i, s := range scenarios() {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(uint64(i), 42))
			covered, alarms, sum := 0, 0, 0.0
			widths := make([]float64, 0, coverageRuns)
			for range coverageRuns {
				f, err := FitAmdahl(s.simulate(rng, 10), 0.95)
				if err != nil {
					t.Fatal(err)
				}
				if f.BLow <= s.b && s.b <= f.BHigh {
					covered++
				}
				if f.ChiSqP < LackOfFitAlpha {
					alarms++
				}
				sum += f.B
				widths = append(widths, f.BHigh-f.BLow)
			}
			cov, bias := float64(covered)/coverageRuns, sum/coverageRuns-s.b
			alarm := float64(alarms) / coverageRuns
			t.Logf("coverage %.4f, bias %+.4f, median width %.4f, p90 width %.4f, lack-of-fit alarms %.4f",
				cov, bias, quantile(widths, 0.5), quantile(widths, 0.9), alarm)
			if cov < 0.93 || cov > 0.975 {
				t.Errorf("coverage %.4f, want 0.93..0.975", cov)
			}
			if math.Abs(bias) >= 0.005 {
				t.Errorf("bias %+.4f, want |bias| < 0.005", bias)
			}
			if len(s.ps) > 2 && !s.outliers && alarm > 2*LackOfFitAlpha {
				t.Errorf("lack-of-fit alarms on exact Amdahl data: %.4f, want <= %.2f", alarm, 2*LackOfFitAlpha)
			}
		})
	}
}
