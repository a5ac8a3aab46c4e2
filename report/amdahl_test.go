package report

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// model returns T(p) = T1 (B + (1-B)/p).
func model(t1, b, p float64) float64 { return t1 * (b + (1-b)/p) }

func TestFitAmdahl(t *testing.T) {
	t.Run("ExactTwoPoints", func(t *testing.T) {
		// a = 1, b = 9: T1 = 10, B = 0.1. With SE = 1 the covariance is
		// (X'WX)^-1 = [[5, -6], [-6, 8]] (worked by hand), so
		// var B = 0.09^2*5 + 0.01^2*8 + 2*0.09*(-0.01)*(-6) = 0.0521.
		m, err := FitAmdahl([]Point{{P: 1, T: 10, SE: 1}, {P: 2, T: 5.5, SE: 1}})
		if err != nil {
			t.Fatal(err)
		}
		checkClose(t, "B", m.B, 0.1, 1e-12)
		checkClose(t, "T1", m.T1, 10, 1e-12)
		checkClose(t, "MaxSpeedup", m.MaxSpeedup(), 10, 1e-12)
		half := 1.959963984540054 * math.Sqrt(0.0521)
		checkClose(t, "BLow", m.BLow, 0.1-half, 1e-9)
		checkClose(t, "BHigh", m.BHigh, 0.1+half, 1e-9)
		if m.DoF != 0 || len(m.Warnings) == 0 {
			t.Errorf("DoF = %d, warnings %v: want 0 dof and a two-counts warning", m.DoF, m.Warnings)
		}
	})
	t.Run("RecoversModel", func(t *testing.T) {
		var pts []Point
		for _, p := range []float64{1, 2, 4, 8, 16} {
			pts = append(pts, Point{P: p, T: model(3, 0.05, p), SE: 0.01})
		}
		m, err := FitAmdahl(pts)
		if err != nil {
			t.Fatal(err)
		}
		checkClose(t, "B", m.B, 0.05, 1e-9)
		checkClose(t, "T1", m.T1, 3, 1e-9)
		checkClose(t, "Speedup(4)", m.Speedup(4), 1/(0.05+0.95/4), 1e-9)
		checkClose(t, "Time(4)", m.Time(4), model(3, 0.05, 4), 1e-9)
		if !(m.BLow < 0.05 && 0.05 < m.BHigh) {
			t.Errorf("CI [%g, %g] does not contain 0.05", m.BLow, m.BHigh)
		}
		if len(m.Warnings) != 0 {
			t.Errorf("unexpected warnings %v", m.Warnings)
		}
	})
	t.Run("PoorFitWidens", func(t *testing.T) {
		// Points far off any a + b/p line relative to their errors.
		pts := []Point{{1, 10, 0.01}, {2, 4, 0.01}, {3, 6, 0.01}, {4, 2, 0.01}}
		m, err := FitAmdahl(pts)
		if err != nil {
			t.Fatal(err)
		}
		if m.ChiSq/float64(m.DoF) <= 1 {
			t.Fatalf("chi2/dof = %g, want > 1", m.ChiSq/float64(m.DoF))
		}
		found := false
		for _, w := range m.Warnings {
			found = found || contains(w.Error(), "poor fit")
		}
		if !found {
			t.Errorf("warnings %v lack a poor-fit warning", m.Warnings)
		}
	})
	t.Run("Superlinear", func(t *testing.T) {
		m, err := FitAmdahl([]Point{{1, 10, 0.1}, {2, 4, 0.1}, {4, 2, 0.1}})
		if err != nil {
			t.Fatal(err)
		}
		// B < 0 diverges at p = 1 - 1/B: no ceiling, and no sane
		// prediction past it.
		if m.B >= 0 || !math.IsNaN(m.MaxSpeedup()) {
			t.Errorf("B = %g, MaxSpeedup = %g: want B < 0 and NaN", m.B, m.MaxSpeedup())
		}
	})
	t.Run("PerfectlyParallel", func(t *testing.T) {
		m := Amdahl{B: 0, T1: 1}
		if !math.IsInf(m.MaxSpeedup(), 1) {
			t.Errorf("MaxSpeedup with B = 0 is %g, want +Inf", m.MaxSpeedup())
		}
	})
	t.Run("ErrBadPoint", func(t *testing.T) {
		for _, pts := range [][]Point{
			{{1, 1, 0}, {2, 0.5, 0.1}},
			{{0, 1, 0.1}, {2, 0.5, 0.1}},
			{{1, math.NaN(), 0.1}, {2, 0.5, 0.1}},
			{{1, 1, math.Inf(1)}, {2, 0.5, 0.1}},
		} {
			if _, err := FitAmdahl(pts); !errors.Is(err, ErrBadPoint) {
				t.Errorf("FitAmdahl(%v) = %v, want ErrBadPoint", pts, err)
			}
		}
	})
	t.Run("SlowdownHasNoCeiling", func(t *testing.T) {
		m, err := FitAmdahl([]Point{{1, 10, 0.1}, {2, 11, 0.1}, {4, 11.5, 0.1}})
		if err != nil {
			t.Fatal(err)
		}
		if m.B <= 1 || !math.IsNaN(m.MaxSpeedup()) {
			t.Errorf("B = %g, MaxSpeedup = %g: want B > 1 and NaN", m.B, m.MaxSpeedup())
		}
	})
	t.Run("ErrTooFewPoints", func(t *testing.T) {
		_, err := FitAmdahl([]Point{{2, 1, 0.1}, {2, 1.1, 0.1}})
		if !errors.Is(err, ErrTooFewPoints) {
			t.Errorf("err = %v, want ErrTooFewPoints", err)
		}
	})
	t.Run("ErrDegenerateFit", func(t *testing.T) {
		_, err := FitAmdahl([]Point{{1, -1, 0.1}, {2, -0.5, 0.1}})
		if !errors.Is(err, ErrDegenerateFit) {
			t.Errorf("err = %v, want ErrDegenerateFit", err)
		}
	})
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func ExampleFitAmdahl() {
	pts := []Point{{P: 1, T: 10, SE: 0.05}, {P: 2, T: 5.5, SE: 0.05}, {P: 4, T: 3.25, SE: 0.05}}
	m, _ := FitAmdahl(pts)
	fmt.Printf("B=%.2f T1=%.1fs ceiling %.0fx, S(8)=%.2f\n", m.B, m.T1, m.MaxSpeedup(), m.Speedup(8))
	// Output: B=0.10 T1=10.0s ceiling 10x, S(8)=4.71
}

func BenchmarkFitAmdahl(b *testing.B) {
	var pts []Point
	for _, p := range []float64{1, 2, 4, 8, 16, 32} {
		pts = append(pts, Point{P: p, T: model(3, 0.05, p), SE: 0.01})
	}
	for b.Loop() {
		FitAmdahl(pts)
	}
}
