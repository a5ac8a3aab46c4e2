package scaling

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// gustafsonSpeedups returns the scaled speedups of Gustafson's law with
// serial fraction alpha at ps, times (1 + noise), with an interval of ±rel S
// at 0.95 when rel > 0.
func gustafsonSpeedups(alpha float64, ps []float64, noise []float64, rel float64) []SpeedupPoint {
	out := make([]SpeedupPoint, len(ps))
	for i, p := range ps {
		s := Gustafson{Alpha: alpha}.ScaledSpeedup(p)
		if noise != nil {
			s *= 1 + noise[i]
		}
		out[i] = SpeedupPoint{P: p, S: s, Low: math.NaN(), High: math.NaN()}
		if rel > 0 {
			out[i].Low, out[i].High, out[i].Confidence = s*(1-rel), s*(1+rel), 0.95
		}
	}
	return out
}

func TestGustafsonScaledSpeedup(t *testing.T) {
	t.Parallel()
	m := Gustafson{Alpha: 0.1}
	for _, tc := range []struct{ p, want float64 }{{1, 1}, {2, 1.9}, {10, 9.1}, {64, 57.7}} {
		checkNear(t, "ScaledSpeedup", m.ScaledSpeedup(tc.p), tc.want, 1e-12)
	}
}

func TestFitGustafson(t *testing.T) {
	t.Parallel()
	ps := []float64{1, 2, 4, 8, 16, 32}
	rng := rand.New(rand.NewPCG(4, 4))
	noise := make([]float64, len(ps))
	for i := range noise {
		noise[i] = 0.01 * rng.NormFloat64()
	}
	// An outlier at p = 8 whose wide interval should make it count little.
	outlier := gustafsonSpeedups(0.1, ps, nil, 0.01)
	outlier[3].S, outlier[3].Low, outlier[3].High = 5, 2, 8
	tests := []struct {
		name  string
		in    []SpeedupPoint
		alpha float64
		rel   float64 // tolerance on α
		n     int
	}{
		{"Exact", gustafsonSpeedups(0.1, ps, nil, 0), 0.1, 1e-12, 5},
		{"ExactWithoutP1", gustafsonSpeedups(0.25, ps[1:], nil, 0), 0.25, 1e-12, 5},
		{"Noisy", gustafsonSpeedups(0.1, ps, noise, 0), 0.1, 0.1, 5},
		{"NoisyWeighted", gustafsonSpeedups(0.1, ps, noise, 0.02), 0.1, 0.1, 5},
		{"OutlierDownweighted", outlier, 0.1, 0.01, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := FitGustafson(tc.in, 0.95)
			if err != nil {
				t.Fatal(err)
			}
			checkNear(t, "Alpha", f.Alpha, tc.alpha, tc.rel)
			if f.N != tc.n || f.DoF != tc.n-1 {
				t.Errorf("N, DoF = %d, %d; want %d, %d", f.N, f.DoF, tc.n, tc.n-1)
			}
			if !(f.AlphaLow <= tc.alpha+1e-12 && tc.alpha-1e-12 <= f.AlphaHigh) { // up to rounding for exact data
				t.Errorf("interval [%g, %g] misses α = %g", f.AlphaLow, f.AlphaHigh, tc.alpha)
			}
			if !(f.R2 > 0.99) || len(f.Warnings) > 0 {
				t.Errorf("R2 = %g, Warnings = %v", f.R2, f.Warnings)
			}
		})
	}
}

// TestFitGustafsonOnePoint checks the single-point case: α is exact, and
// its interval is the speedup's own, mapped to α and rescaled to conf.
func TestFitGustafsonOnePoint(t *testing.T) {
	t.Parallel()
	in := []SpeedupPoint{{P: 1, S: 1, Low: math.NaN(), High: math.NaN()}, {P: 5, S: 4.6, Low: 4.4, High: 4.8, Confidence: 0.95}}
	f, err := FitGustafson(in, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	checkNear(t, "Alpha", f.Alpha, 0.1, 1e-12)
	checkNear(t, "AlphaLow", f.AlphaLow, 0.05, 1e-12)
	checkNear(t, "AlphaHigh", f.AlphaHigh, 0.15, 1e-12)
	if !hasWarning(f.Warnings, ErrUntestable) || !math.IsNaN(f.R2) {
		t.Errorf("Warnings = %v, R2 = %g; want ErrUntestable and NaN", f.Warnings, f.R2)
	}
	f, _ = FitGustafson(in, 0.6827) // about ±1 se
	checkNear(t, "AlphaHigh at 68%", f.AlphaHigh, 0.1+0.05/1.959964, 1e-4)
	in[1].Low, in[1].High = math.NaN(), math.NaN()
	f, _ = FitGustafson(in, 0.95)
	if !math.IsNaN(f.AlphaLow) || !math.IsNaN(f.AlphaHigh) {
		t.Errorf("no interval given, but α in [%g, %g]", f.AlphaLow, f.AlphaHigh)
	}
}

func TestFitGustafsonErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []SpeedupPoint
		conf float64
		want error
	}{
		{"ErrBadConfidence", gustafsonSpeedups(0.1, []float64{1, 2}, nil, 0), 0, ErrBadConfidence},
		{"ErrTooFewPoints", gustafsonSpeedups(0.1, []float64{1}, nil, 0), 0.95, ErrTooFewPoints},
		{"ErrTooFewPointsEmpty", nil, 0.95, ErrTooFewPoints},
		{"ErrBadPointP", []SpeedupPoint{{P: 0.5, S: 1}}, 0.95, ErrBadPoint},
		{"ErrBadPointS", []SpeedupPoint{{P: 2, S: math.Inf(1)}}, 0.95, ErrBadPoint},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := FitGustafson(tc.in, tc.conf); !errors.Is(err, tc.want) {
				t.Errorf("FitGustafson = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestFitGustafsonWarnings(t *testing.T) {
	t.Parallel()
	ps := []float64{1, 2, 4, 8}
	for _, tc := range []struct {
		name  string
		alpha float64
		want  error
	}{
		{"ErrSuperlinear", -0.1, ErrSuperlinear},
		{"ErrSlowdown", 1.05, ErrSlowdown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := FitGustafson(gustafsonSpeedups(tc.alpha, ps, nil, 0), 0.95)
			if err != nil {
				t.Fatal(err)
			}
			if !hasWarning(f.Warnings, tc.want) {
				t.Errorf("Warnings = %v, want %v", f.Warnings, tc.want)
			}
		})
	}
}

func BenchmarkFitGustafson(b *testing.B) {
	in := gustafsonSpeedups(0.1, []float64{1, 2, 4, 8, 16, 32, 64}, nil, 0.02)
	for b.Loop() {
		if _, err := FitGustafson(in, 0.95); err != nil {
			b.Fatal(err)
		}
	}
}
