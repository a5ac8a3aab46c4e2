package scaling

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

func TestFitAmdahl(t *testing.T) {
	t.Run("ExactTwoPoints", func(t *testing.T) {
		// a = 1, b = 9: T1 = 10, B = 0.1. With SE = 1 the covariance is
		// (X'WX)^-1 = [[5, -6], [-6, 8]] (worked by hand), so
		// var B = 0.09^2*5 + 0.01^2*8 + 2*0.09*(-0.01)*(-6) = 0.0521, and
		// with 10 samples per point the quantile is t(9).
		f, err := FitAmdahl([]Point{{P: 1, Y: 10, SE: 1, N: 10}, {P: 2, Y: 5.5, SE: 1, N: 10}}, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		checkNear(t, "B", f.B, 0.1, 1e-12)
		checkNear(t, "T1", f.T1, 10, 1e-12)
		checkNear(t, "MaxSpeedup", f.MaxSpeedup(), 10, 1e-12)
		half := 2.2621571627409915 * math.Sqrt(0.0521)
		checkNear(t, "BLow", f.BLow, 0.1-half, 1e-9)
		checkNear(t, "BHigh", f.BHigh, 0.1+half, 1e-9)
		if f.DoF != 0 || f.QuantileDoF != 9 || !errors.Is(f.Warnings[0], ErrUntestable) {
			t.Errorf("DoF = %d, quantile dof %d, warnings %v: want 0, 9 and ErrUntestable", f.DoF, f.QuantileDoF, f.Warnings)
		}
		// B's interval reaches below 0: the ceiling has no upper bound.
		if !math.IsInf(f.CeilingHigh, 1) || !near(f.CeilingLow, 1/f.BHigh, 1e-12) {
			t.Errorf("ceiling [%g, %g], want [1/BHigh, +Inf]", f.CeilingLow, f.CeilingHigh)
		}
	})
	t.Run("RecoversModel", func(t *testing.T) {
		truth := Amdahl{B: 0.05, T1: 3}
		var pts []Point
		for _, p := range []float64{1, 2, 4, 8, 16} {
			pts = append(pts, Point{P: p, Y: truth.Time(p), SE: 0.01, N: 10})
		}
		f, err := FitAmdahl(pts, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		checkNear(t, "B", f.B, 0.05, 1e-9)
		checkNear(t, "T1", f.T1, 3, 1e-9)
		checkNear(t, "R2", f.R2, 1, 1e-12)
		checkNear(t, "Speedup(4)", f.Speedup(4), 1/(0.05+0.95/4), 1e-9)
		checkNear(t, "CeilingLow", f.CeilingLow, 1/f.BHigh, 1e-12)
		checkNear(t, "CeilingHigh", f.CeilingHigh, 1/f.BLow, 1e-12)
		if !(f.BLow < 0.05 && 0.05 < f.BHigh) || len(f.Warnings) != 0 {
			t.Errorf("CI [%g, %g], warnings %v: want 0.05 inside and no warnings", f.BLow, f.BHigh, f.Warnings)
		}
		for _, r := range f.Residuals {
			checkNear(t, fmt.Sprintf("Z(%g)", r.P), r.Z, 0, 1e-6)
			checkNear(t, fmt.Sprintf("Speedup(%g)", r.P), r.Speedup, truth.Speedup(r.P), 1e-9)
			checkNear(t, fmt.Sprintf("PredictedSpeedup(%g)", r.P), r.PredictedSpeedup, truth.Speedup(r.P), 1e-9)
		}
	})
	t.Run("ErrLackOfFitWidens", func(t *testing.T) {
		pts := []Point{{1, 10, 0.01, 10}, {2, 4, 0.01, 10}, {3, 6, 0.01, 10}, {4, 2, 0.01, 10}}
		f, err := FitAmdahl(pts, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		if f.ChiSq/float64(f.DoF) <= 1 || !hasWarning(f.Warnings, ErrLackOfFit) {
			t.Errorf("chi2/dof = %g, warnings %v: want > 1 and ErrLackOfFit", f.ChiSq/float64(f.DoF), f.Warnings)
		}
		exact, _ := FitAmdahl([]Point{{1, 10, 0.01, 10}, {2, 5.5, 0.01, 10}, {3, 4, 0.01, 10}, {4, 3.25, 0.01, 10}}, 0.95)
		if f.BHigh-f.BLow <= 10*(exact.BHigh-exact.BLow) {
			t.Errorf("interval %g is not widened beyond %g", f.BHigh-f.BLow, exact.BHigh-exact.BLow)
		}
	})
	t.Run("ErrSuperlinear", func(t *testing.T) {
		f, err := FitAmdahl([]Point{{1, 10, 0.1, 10}, {2, 4, 0.1, 10}, {4, 2, 0.1, 10}}, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		// Reported as measured, never clamped; no ceiling.
		if f.B >= 0 || !math.IsNaN(f.MaxSpeedup()) || !hasWarning(f.Warnings, ErrSuperlinear) {
			t.Errorf("B = %g, MaxSpeedup = %g, warnings %v: want B < 0, NaN and ErrSuperlinear", f.B, f.MaxSpeedup(), f.Warnings)
		}
	})
	t.Run("ErrSlowdown", func(t *testing.T) {
		f, err := FitAmdahl([]Point{{1, 10, 0.1, 10}, {2, 11, 0.1, 10}, {4, 11.5, 0.1, 10}}, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		if f.B <= 1 || !math.IsNaN(f.MaxSpeedup()) || !hasWarning(f.Warnings, ErrSlowdown) {
			t.Errorf("B = %g, MaxSpeedup = %g: want B > 1, NaN and ErrSlowdown", f.B, f.MaxSpeedup())
		}
	})
	t.Run("WithoutStandardErrors", func(t *testing.T) {
		// Ordinary least squares; the interval comes from the residuals
		// with t on N-2 dof, and is absent for two points.
		f, err := FitAmdahl([]Point{{P: 1, Y: 10}, {P: 2, Y: 5.6}, {P: 4, Y: 3.2}, {P: 8, Y: 2.2}}, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		if f.QuantileDoF != 2 || !(f.BLow < f.B && f.B < f.BHigh) || !math.IsNaN(f.ChiSq) {
			t.Errorf("quantile dof %d, B %g in [%g, %g], chi2 %g: want t(2), a real interval, no chi2", f.QuantileDoF, f.B, f.BLow, f.BHigh, f.ChiSq)
		}
		two, _ := FitAmdahl([]Point{{P: 1, Y: 10}, {P: 2, Y: 5.6}}, 0.95)
		if !math.IsNaN(two.BLow) {
			t.Errorf("two points without SEs gave an interval [%g, %g]", two.BLow, two.BHigh)
		}
	})
	t.Run("ErrBadPoint", func(t *testing.T) {
		for _, pts := range [][]Point{
			{{1, 1, -1, 10}, {2, 0.5, 0.1, 10}},
			{{0, 1, 0.1, 10}, {2, 0.5, 0.1, 10}},
			{{1, math.NaN(), 0.1, 10}, {2, 0.5, 0.1, 10}},
			{{1, 1, math.Inf(1), 10}, {2, 0.5, 0.1, 10}},
			{{1, -1, 0.1, 10}, {2, 0.5, 0.1, 10}},
		} {
			if _, err := FitAmdahl(pts, 0.95); !errors.Is(err, ErrBadPoint) {
				t.Errorf("FitAmdahl(%v) = %v, want ErrBadPoint", pts, err)
			}
		}
	})
	t.Run("ErrTooFewPoints", func(t *testing.T) {
		if _, err := FitAmdahl([]Point{{2, 1, 0.1, 10}, {2, 1.1, 0.1, 10}}, 0.95); !errors.Is(err, ErrTooFewPoints) {
			t.Errorf("err = %v, want ErrTooFewPoints", err)
		}
	})
	t.Run("ErrDegenerateFit", func(t *testing.T) {
		if _, err := FitAmdahl([]Point{{1, 0, 0.1, 10}, {2, 0, 0.1, 10}}, 0.95); !errors.Is(err, ErrDegenerateFit) {
			t.Errorf("err = %v, want ErrDegenerateFit", err)
		}
	})
	t.Run("ErrBadConfidence", func(t *testing.T) {
		if _, err := FitAmdahl([]Point{{1, 1, 0.1, 10}, {2, 0.6, 0.1, 10}}, 95); !errors.Is(err, ErrBadConfidence) {
			t.Errorf("err = %v, want ErrBadConfidence", err)
		}
	})
	t.Run("PerfectlyParallel", func(t *testing.T) {
		if m := (Amdahl{B: 0, T1: 1}); !math.IsInf(m.MaxSpeedup(), 1) {
			t.Errorf("MaxSpeedup with B = 0 is %g, want +Inf", m.MaxSpeedup())
		}
	})
}

func TestAggregate(t *testing.T) {
	pts := Aggregate([]float64{2, 1, 2, 1, 2}, []float64{5, 10, 6, 11, 4})
	if len(pts) != 2 || pts[0].P != 1 || pts[0].Y != 10.5 || pts[0].N != 2 || pts[1].P != 2 || pts[1].Y != 5 || pts[1].N != 3 {
		t.Fatalf("Aggregate = %+v", pts)
	}
	if one := Aggregate([]float64{1}, []float64{3}); one[0].SE != 0 {
		t.Errorf("a single observation has SE %g, want 0 (unknown)", one[0].SE)
	}
}

func ExampleFitAmdahl() {
	pts := []Point{{P: 1, Y: 10, SE: 0.05, N: 10}, {P: 2, Y: 5.5, SE: 0.05, N: 10}, {P: 4, Y: 3.25, SE: 0.05, N: 10}}
	f, _ := FitAmdahl(pts, 0.95)
	fmt.Printf("B=%.2f [%.3f, %.3f] T1=%.1fs ceiling %.0fx, S(8)=%.2f\n", f.B, f.BLow, f.BHigh, f.T1, f.MaxSpeedup(), f.Speedup(8))
	// Output: B=0.10 [0.086, 0.114] T1=10.0s ceiling 10x, S(8)=4.71
}

func BenchmarkFitAmdahl(b *testing.B) {
	truth := Amdahl{B: 0.05, T1: 3}
	var pts []Point
	for _, p := range []float64{1, 2, 4, 8, 16, 32} {
		pts = append(pts, Point{P: p, Y: truth.Time(p), SE: 0.01, N: 10})
	}
	for b.Loop() {
		FitAmdahl(pts, 0.95)
	}
}

func TestMedianSE(t *testing.T) {
	// MAD of 1..9 about median 5 is 2; se = 1.2533*1.4826*2/3.
	checkNear(t, "MedianSE", MedianSE([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9}), 1.2533*1.4826*2/3, 1e-12)
	if !math.IsNaN(MedianSE([]float64{1})) {
		t.Error("MedianSE of one sample should be NaN")
	}
	if se := MedianSE([]float64{2, 2, 2}); se <= 0 {
		t.Errorf("MedianSE of identical samples = %g, want a positive floor", se)
	}
}
