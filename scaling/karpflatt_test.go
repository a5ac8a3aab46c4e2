package scaling

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestKarpFlatt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ s, p, want float64 }{
		{2, 2, 0},
		{1, 4, 1},
		{1.6, 2, 0.25},
		{3, 2, -1.0 / 3},
		{1 / (0.1 + 0.9/8), 8, 0.1},
		{1, 1, math.NaN()},
		{0.5, 0.5, math.NaN()},
	} {
		checkNear(t, fmt.Sprintf("KarpFlatt(%g, %g)", tc.s, tc.p), KarpFlatt(tc.s, tc.p), tc.want, 1e-12)
	}
}

// amdahlSpeedups returns the exact speedups of Amdahl's law with serial
// fraction b at ps, with an interval of ±rel S when rel > 0.
func amdahlSpeedups(b float64, ps []float64, rel float64) []SpeedupPoint {
	m := Amdahl{B: b, T1: 1}
	out := make([]SpeedupPoint, len(ps))
	for i, p := range ps {
		s := m.Speedup(p)
		out[i] = SpeedupPoint{P: p, S: s, Low: math.NaN(), High: math.NaN()}
		if rel > 0 {
			out[i].Low, out[i].High, out[i].Confidence = s*(1-rel), s*(1+rel), 0.95
		}
	}
	return out
}

func TestKarpFlattAnalysis(t *testing.T) {
	t.Parallel()
	ps := []float64{1, 2, 4, 8, 16, 32}
	retro := USL{Sigma: 0.05, Kappa: 2e-3, Lambda: 1}
	var usl, noisy []SpeedupPoint
	rng := rand.New(rand.NewPCG(9, 9))
	for _, p := range ps {
		s := retro.Speedup(p)
		usl = append(usl, SpeedupPoint{P: p, S: s, Low: math.NaN(), High: math.NaN()})
		sn := s * (1 + 0.01*rng.NormFloat64())
		noisy = append(noisy, SpeedupPoint{P: p, S: sn, Low: sn * 0.98, High: sn * 1.02, Confidence: 0.95})
	}
	// e(p) = 0.15 - 0.005p, below 0 at p = 32: S = 1 / (e (1 - 1/p) + 1/p).
	var falling []SpeedupPoint
	for _, p := range ps {
		e := 0.15 - 0.005*p
		falling = append(falling, SpeedupPoint{P: p, S: 1 / (e*(1-1/p) + 1/p), Low: math.NaN(), High: math.NaN()})
	}
	var twoRising []SpeedupPoint // e = 0.05 + 0.02p, S known to ±1%
	for _, p := range []float64{1, 2, 4} {
		s := USL{Sigma: 0.05, Kappa: 0.02, Lambda: 1}.Speedup(p)
		twoRising = append(twoRising, SpeedupPoint{P: p, S: s, Low: 0.99 * s, High: 1.01 * s, Confidence: 0.95})
	}
	tests := []struct {
		name    string
		in      []SpeedupPoint
		verdict string
		slope   float64 // NaN: not checked
		reason  string
		warn    error
	}{
		{"FlatExactAmdahl", amdahlSpeedups(0.1, ps, 0), "flat", 0, "e is flat at about 0.1 (its slope is 0 up to rounding)", nil},
		{"FlatWithIntervals", amdahlSpeedups(0.1, ps, 0.05), "flat", 0, "e is flat at about 0.1", nil},
		// Under the USL, e = σ + κp: the slope is κ.
		{"RisingExactUSL", usl, "rising", 2e-3, "overhead grows with p, so the USL, not Amdahl's law, is the right model", nil},
		{"RisingNoisyUSL", noisy, "rising", math.NaN(), "e rises by", nil},
		{"Falling", falling, "falling", -0.005, "e falls by 0.005 per processor", ErrOutOfRange},
		{"OnlyTwo", amdahlSpeedups(0.1, []float64{1, 2}, 0), "untestable", math.NaN(),
			"only one processor count above 1 (p = 2): e(2) = 0.1 is the serial fraction B of Amdahl's law fitted through p = 1 and p = 2", nil},
		{"OnlyOne", amdahlSpeedups(0.1, []float64{1}, 0), "untestable", math.NaN(), "no speedup above p = 1", nil},
		{"TwoAboveOneNoIntervals", amdahlSpeedups(0.1, []float64{1, 2, 4}, 0), "untestable", 0, "has no uncertainty to test it by", nil},
		{"TwoAboveOneWithIntervals", amdahlSpeedups(0.1, []float64{1, 2, 4}, 0.05), "flat", 0, "e is flat at about 0.1", nil},
		{"TwoAboveOneRising", twoRising, "rising", 0.02, "e rises by 0.02 per processor (95% CI 0.01", nil},
		{"BadPoint", append(amdahlSpeedups(0.1, ps, 0), SpeedupPoint{P: 4, S: math.NaN()}), "flat", 0, "", ErrBadPoint},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := KarpFlattAnalysis(tc.in, 0.95)
			if tr.Verdict != tc.verdict || !strings.Contains(tr.Reason, tc.reason) {
				t.Errorf("Verdict, Reason = %q, %q; want %q, containing %q", tr.Verdict, tr.Reason, tc.verdict, tc.reason)
			}
			if !math.IsNaN(tc.slope) {
				checkNear(t, "Slope", tr.Slope, tc.slope, 1e-9)
			}
			if tr.Verdict == "untestable" && !math.IsNaN(tr.SlopeLow) {
				t.Errorf("untestable, but SlopeLow = %g", tr.SlopeLow)
			}
			if tc.warn != nil && !hasWarning(tr.Warnings, tc.warn) || tc.warn == nil && len(tr.Warnings) > 0 {
				t.Errorf("Warnings = %v, want %v", tr.Warnings, tc.warn)
			}
		})
	}
}

// TestKarpFlattPoints checks e and its interval at each point of exact
// Amdahl data: e equals B everywhere, and the interval is mapped from the
// speedup's (e falls as S rises).
func TestKarpFlattPoints(t *testing.T) {
	t.Parallel()
	in := amdahlSpeedups(0.2, []float64{1, 2, 4, 8}, 0.1)
	tr := KarpFlattAnalysis(in, 0.95)
	if len(tr.Points) != 3 {
		t.Fatalf("%d points, want 3 (p = 1 has no e)", len(tr.Points))
	}
	for i, pt := range tr.Points {
		sp := in[i+1]
		checkNear(t, fmt.Sprintf("e(%g)", pt.P), pt.E, 0.2, 1e-12)
		checkNear(t, "Low", pt.Low, KarpFlatt(sp.High, sp.P), 1e-12)
		checkNear(t, "High", pt.High, KarpFlatt(sp.Low, sp.P), 1e-12)
		if !(pt.Low < pt.E && pt.E < pt.High) {
			t.Errorf("e(%g) = %g outside [%g, %g]", pt.P, pt.E, pt.Low, pt.High)
		}
	}
}

// TestKarpFlattTwoIsAmdahl checks that with p = {1, 2}, e(2) is the B that
// FitAmdahl finds through the two times.
func TestKarpFlattTwoIsAmdahl(t *testing.T) {
	t.Parallel()
	t1, t2 := 10.0, 6.3
	fit, err := FitAmdahl([]Point{{P: 1, Y: t1}, {P: 2, Y: t2}}, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	tr := KarpFlattAnalysis([]SpeedupPoint{{P: 1, S: 1, Low: math.NaN(), High: math.NaN()}, {P: 2, S: t1 / t2, Low: math.NaN(), High: math.NaN()}}, 0.95)
	checkNear(t, "e(2)", tr.Points[0].E, fit.B, 1e-12)
}

func BenchmarkKarpFlattAnalysis(b *testing.B) {
	in := amdahlSpeedups(0.1, []float64{1, 2, 4, 8, 16, 32, 64}, 0.05)
	for b.Loop() {
		KarpFlattAnalysis(in, 0.95)
	}
}
