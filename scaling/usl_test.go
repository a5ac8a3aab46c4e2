package scaling

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestUSLModel(t *testing.T) {
	t.Parallel()
	m := USL{Sigma: 0.1, Kappa: 0.01, Lambda: 10}
	for _, tc := range []struct {
		n, x, s float64
	}{
		{1, 10, 1},
		{2, 20 / 1.12, 2 / 1.12},
		{10, 100 / 2.8, 10 / 2.8},
	} {
		checkNear(t, fmt.Sprintf("Throughput(%g)", tc.n), m.Throughput(tc.n), tc.x, 1e-12)
		checkNear(t, fmt.Sprintf("Speedup(%g)", tc.n), m.Speedup(tc.n), tc.s, 1e-12)
	}

	tests := []struct {
		name  string
		m     USL
		n, x  float64
		wantK bool
	}{
		{"Retrograde", m, 3 * math.Sqrt(10), m.Throughput(3 * math.Sqrt(10)), true},
		{"NoCoherency", USL{Sigma: 0.1, Lambda: 10}, math.NaN(), math.NaN(), false},
		{"NegativeCoherency", USL{Sigma: 0.1, Kappa: -1e-3, Lambda: 10}, math.NaN(), math.NaN(), false},
		{"FullContention", USL{Sigma: 1, Kappa: 0.01, Lambda: 10}, math.NaN(), math.NaN(), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, x, ok := tc.m.Peak()
			if ok != tc.wantK {
				t.Fatalf("Peak() ok = %v, want %v", ok, tc.wantK)
			}
			checkNear(t, "Peak N", n, tc.n, 1e-12)
			checkNear(t, "Peak X", x, tc.x, 1e-12)
			if ok && !(tc.m.Throughput(n*0.9) < x && tc.m.Throughput(n*1.1) < x) {
				t.Errorf("Peak() = %g, %g is not a maximum", n, x)
			}
		})
	}
}

// TestFitUSLRaytracer checks the fit against R's usl package on Gunther's
// ray-tracing data: σ = 0.0578, κ = 0, λ = 21.85.
func TestFitUSLRaytracer(t *testing.T) {
	t.Parallel()
	f, err := FitUSL(points(raytracerP, raytracerX), 0.95)
	if err != nil {
		t.Fatal(err)
	}
	checkNear(t, "Sigma", f.Sigma, 0.0578, 0.01)
	checkNear(t, "Lambda", f.Lambda, 21.85, 0.01)
	if !(f.Kappa >= 0 && f.Kappa < 1e-4) {
		t.Errorf("Kappa = %g, want in [0, 1e-4)", f.Kappa)
	}
	if !(f.SigmaLow < f.Sigma && f.Sigma < f.SigmaHigh) || !(f.LambdaLow < f.Lambda && f.Lambda < f.LambdaHigh) {
		t.Errorf("intervals σ [%g, %g], λ [%g, %g] do not contain the estimates", f.SigmaLow, f.SigmaHigh, f.LambdaLow, f.LambdaHigh)
	}
	if f.KappaLow != 0 || !(f.KappaHigh > 0) {
		t.Errorf("κ interval [%g, %g], want [0, >0]", f.KappaLow, f.KappaHigh)
	}
	if f.N != 11 || f.Processors != 11 || f.DoF != 8 || f.QuantileDoF != 8 {
		t.Errorf("N, Processors, DoF, QuantileDoF = %d, %d, %d, %d; want 11, 11, 8, 8", f.N, f.Processors, f.DoF, f.QuantileDoF)
	}
	if !math.IsNaN(f.PeakN) || !math.IsNaN(f.PeakX) {
		t.Errorf("Peak = %g, %g; want NaN with κ = 0", f.PeakN, f.PeakX)
	}
	if f.R2 < 0.98 || len(f.Warnings) > 0 || len(f.Residuals) != 11 {
		t.Errorf("R2 = %g, Warnings = %v, %d residuals", f.R2, f.Warnings, len(f.Residuals))
	}
}

// synthUSL returns throughput points of m at ns, reps each, with Gaussian
// noise of standard deviation sd (units per second) from rng.
func synthUSL(m USL, ns []float64, reps int, sd float64, rng *rand.Rand) []Point {
	var pts []Point
	for _, n := range ns {
		for range reps {
			y := m.Throughput(n)
			if sd > 0 {
				y += sd * rng.NormFloat64()
			}
			pts = append(pts, Point{P: n, Y: y})
		}
	}
	return pts
}

var uslLoads = []float64{1, 2, 4, 8, 12, 16, 24, 32, 48, 64}

func TestFitUSLRecovery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		truth USL
		reps  int
		sd    float64 // noise, units per second
		rel   float64 // tolerance on σ, κ and λ
	}{
		{"ExactRetrograde", USL{Sigma: 0.05, Kappa: 5e-4, Lambda: 100}, 1, 0, 1e-6},
		{"ExactMild", USL{Sigma: 0.02, Kappa: 1e-5, Lambda: 1000}, 1, 0, 1e-5},
		{"ExactStrongCoherency", USL{Sigma: 0.3, Kappa: 0.02, Lambda: 3}, 1, 0, 1e-6},
		{"ExactNoContention", USL{Sigma: 0, Kappa: 1e-3, Lambda: 50}, 1, 0, 1e-6},
		{"NoisyRetrograde", USL{Sigma: 0.05, Kappa: 5e-4, Lambda: 100}, 3, 2, 0.1},
		{"NoisyMild", USL{Sigma: 0.02, Kappa: 1e-5, Lambda: 1000}, 5, 20, 0.3},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			f, err := FitUSL(synthUSL(tc.truth, uslLoads, tc.reps, tc.sd, rng), 0.95)
			if err != nil {
				t.Fatal(err)
			}
			if tc.truth.Sigma == 0 {
				if f.Sigma > 1e-9 {
					t.Errorf("Sigma = %g, want 0", f.Sigma)
				}
			} else {
				checkNear(t, "Sigma", f.Sigma, tc.truth.Sigma, tc.rel)
			}
			checkNear(t, "Kappa", f.Kappa, tc.truth.Kappa, tc.rel)
			checkNear(t, "Lambda", f.Lambda, tc.truth.Lambda, tc.rel)
			if tc.sd > 0 && !(f.KappaLow <= tc.truth.Kappa && tc.truth.Kappa <= f.KappaHigh) {
				t.Errorf("κ interval [%g, %g] misses %g", f.KappaLow, f.KappaHigh, tc.truth.Kappa)
			}
			if len(f.Warnings) > 0 {
				t.Errorf("Warnings = %v", f.Warnings)
			}
		})
	}
}

// TestFitUSLCoverage checks by simulation that the 95% intervals cover the
// true σ, κ and λ about 95% of the time, without SEs (equal noise at every
// load) and with known SEs (noise proportional to throughput).
func TestFitUSLCoverage(t *testing.T) {
	t.Parallel()
	truth := USL{Sigma: 0.05, Kappa: 5e-4, Lambda: 100}
	for _, weighted := range []bool{false, true} {
		rng := rand.New(rand.NewPCG(1, 2))
		const sets = 300
		var covered [3]int
		for range sets {
			var pts []Point
			for _, n := range uslLoads {
				x := truth.Throughput(n)
				if weighted {
					pts = append(pts, Point{P: n, Y: x * (1 + 0.03*rng.NormFloat64()), SE: 0.03 * x})
				} else {
					pts = append(pts, Point{P: n, Y: x + 30*rng.NormFloat64()})
				}
			}
			f, err := FitUSL(pts, 0.95)
			if err != nil {
				t.Fatal(err)
			}
			for j, in := range [3]bool{
				f.SigmaLow <= truth.Sigma && truth.Sigma <= f.SigmaHigh,
				f.KappaLow <= truth.Kappa && truth.Kappa <= f.KappaHigh,
				f.LambdaLow <= truth.Lambda && truth.Lambda <= f.LambdaHigh,
			} {
				if in {
					covered[j]++
				}
			}
		}
		t.Logf("weighted %v: coverage of σ, κ, λ: %.3f, %.3f, %.3f", weighted,
			float64(covered[0])/sets, float64(covered[1])/sets, float64(covered[2])/sets)
		for j, name := range []string{"σ", "κ", "λ"} {
			if c := float64(covered[j]) / sets; c < 0.90 || c > 0.99 {
				t.Errorf("weighted %v: coverage of %s = %.3f, want 0.90 to 0.99", weighted, name, c)
			}
		}
	}
}

func TestFitUSLErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		points []Point
		conf   float64
		want   error
	}{
		{"ErrBadConfidence", points(raytracerP, raytracerX), 1, ErrBadConfidence},
		{"ErrTooFewPoints", points([]float64{1, 2, 2, 1}, []float64{10, 18, 19, 11}), 0.95, ErrTooFewPoints},
		{"ErrTooFewPointsEmpty", nil, 0.95, ErrTooFewPoints},
		{"ErrBadPoint", points([]float64{1, 2, 0}, []float64{10, 18, 20}), 0.95, ErrBadPoint},
		{"ErrBadPointNaN", points([]float64{1, 2, 4}, []float64{10, math.NaN(), 20}), 0.95, ErrBadPoint},
		{"ErrDegenerateFit", points([]float64{1, 2, 4}, []float64{0, 0, 0}), 0.95, ErrDegenerateFit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FitUSL(tc.points, tc.conf)
			if !errors.Is(err, tc.want) {
				t.Errorf("FitUSL = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestFitUSLWarnings(t *testing.T) {
	t.Parallel()
	m := USL{Sigma: 0.05, Kappa: 5e-4, Lambda: 100}
	lof := synthUSL(m, uslLoads, 1, 0, nil)
	for i := range lof {
		lof[i].Y *= 1 + 0.05*float64(i%2*2-1) // ±5% zigzag
		lof[i].SE, lof[i].N = 0.001*lof[i].Y, 10
	}
	tests := []struct {
		name   string
		points []Point
		want   error
	}{
		{"ErrUntestable", points([]float64{1, 2, 4}, []float64{10, 18, 30}), ErrUntestable},
		{"ErrSlowdown", synthUSL(USL{Sigma: 1.5, Kappa: 0.01, Lambda: 10}, uslLoads, 1, 0, nil), ErrSlowdown},
		{"ErrLackOfFit", lof, ErrLackOfFit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := FitUSL(tc.points, 0.95)
			if err != nil {
				t.Fatal(err)
			}
			if !hasWarning(f.Warnings, tc.want) {
				t.Errorf("Warnings = %v, want %v", f.Warnings, tc.want)
			}
		})
	}
}

func BenchmarkFitUSL(b *testing.B) {
	pts := synthUSL(USL{Sigma: 0.05, Kappa: 5e-4, Lambda: 100}, uslLoads, 3, 2, rand.New(rand.NewPCG(1, 1)))
	for b.Loop() {
		if _, err := FitUSL(pts, 0.95); err != nil {
			b.Fatal(err)
		}
	}
}
