package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestSummarize(t *testing.T) {
	t.Run("OneToTen", func(t *testing.T) {
		s := Summarize([]float64{7, 1, 10, 4, 2, 9, 3, 5, 8, 6}, testThresholds) // order must not matter
		if s.N != 10 {
			t.Fatalf("N = %d", s.N)
		}
		checkClose(t, "Mean", s.Mean, 5.5, 1e-12)
		checkClose(t, "Median", s.Median, 5.5, 1e-12)
		checkClose(t, "Stddev", s.Stddev, math.Sqrt(82.5/9), 1e-12) // sample stddev, n-1
		checkClose(t, "CV", s.CV, math.Sqrt(82.5/9)/5.5, 1e-12)
		checkClose(t, "Min", s.Min, 1, 0)
		checkClose(t, "Max", s.Max, 10, 0)
		// n=10 at 95%: ranks 2 and 9 (coverage 1 - 2*11/1024 = 97.85%).
		checkClose(t, "CILow", s.CILow, 2, 0)
		checkClose(t, "CIHigh", s.CIHigh, 9, 0)
		if s.Outliers != 0 {
			t.Errorf("Outliers = %d, want 0", s.Outliers)
		}
	})
	t.Run("FiveHasNoCI", func(t *testing.T) {
		s := Summarize([]float64{1, 2, 3, 4, 5}, testThresholds)
		if !math.IsNaN(s.CILow) || !math.IsNaN(s.CIHigh) {
			t.Errorf("CI = [%g, %g], want NaN: 1-2/32 < 95%%", s.CILow, s.CIHigh)
		}
	})
	t.Run("SixIsMinMax", func(t *testing.T) {
		s := Summarize([]float64{3, 1, 2, 6, 5, 4}, testThresholds)
		if s.CILow != 1 || s.CIHigh != 6 {
			t.Errorf("CI = [%g, %g], want [1, 6]", s.CILow, s.CIHigh)
		}
	})
	t.Run("Outlier", func(t *testing.T) {
		s := Summarize([]float64{1.0, 1.01, 0.99, 1.02, 0.98, 1.0, 5.0}, testThresholds)
		if s.Outliers != 1 {
			t.Errorf("Outliers = %d, want 1", s.Outliers)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		s := Summarize(nil, testThresholds)
		if s.N != 0 || !math.IsNaN(s.Median) || !math.IsNaN(s.Mean) {
			t.Errorf("Summarize(nil, testThresholds) = %+v", s)
		}
	})
	t.Run("OneSample", func(t *testing.T) {
		s := Summarize([]float64{2}, testThresholds)
		if s.Median != 2 || !math.IsNaN(s.Stddev) || !math.IsNaN(s.CV) {
			t.Errorf("Summarize([2]) = %+v", s)
		}
	})
}

// TestMedianCICoverage checks the order-statistic interval against its
// definition: the smallest coverage >= 95% over all symmetric intervals.
func TestMedianCICoverage(t *testing.T) {
	check := func(n, wantLo int, wantOK bool) {
		t.Helper()
		lo, hi, ok := MedianCI(n, 0.95)
		if ok != wantOK || (ok && (lo != wantLo || hi != n-1-wantLo)) {
			t.Errorf("MedianCI(%d) = %d, %d, %v; want %d, %d, %v", n, lo, hi, ok, wantLo, n-1-wantLo, wantOK)
		}
	}
	check(5, 0, false)
	check(6, 0, true)
	check(8, 0, true) // rank 2 gives 1-2*9/256 = 92.97%
	check(9, 1, true) // ranks 2..8: 1-2*10/512 = 96.1%
	check(10, 1, true)
	check(20, 5, true) // ranks 6..15 (1-based): 95.86%
	check(100, 39, true)
}

// TestMedianCIEmpirical simulates the interval's coverage on a skewed
// distribution: it must be at least 95% whatever the shape.
func TestMedianCIEmpirical(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const reps = 4000
	for _, n := range []int{6, 10, 25} {
		hit := 0
		trueMedian := math.Ln2 // median of Exp(1)
		for range reps {
			xs := make([]float64, n)
			for i := range xs {
				xs[i] = rng.ExpFloat64()
			}
			s := Summarize(xs, testThresholds)
			if s.CILow <= trueMedian && trueMedian <= s.CIHigh {
				hit++
			}
		}
		if cov := float64(hit) / reps; cov < 0.94 {
			t.Errorf("n=%d: empirical coverage %.3f < 0.95", n, cov)
		}
	}
}

// TestOutlierFence checks that the fence flags rarely on clean data (it
// flagged a fifth of clean cells at 1.5 IQR) and not at all when the IQR is
// 0, where every value off the quartile would otherwise be "out".
func TestOutlierFence(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const cells = 4000
	flagged := 0
	xs := make([]float64, 10)
	for range cells {
		for i := range xs {
			xs[i] = math.Exp(0.05 * rng.NormFloat64())
		}
		if Summarize(xs, DefaultThresholds).Outliers > 0 {
			flagged++
		}
	}
	if rate := float64(flagged) / cells; rate > 0.04 {
		t.Errorf("%.1f%% of clean lognormal cells flagged, want <= 4%% (1.5 IQR flagged about 20%%)", rate*100)
	}
	if s := Summarize([]float64{1, 1, 1, 1, 1, 1, 1.2, 0.9}, testThresholds); s.Outliers != 0 {
		t.Errorf("IQR = 0: %d outliers, want 0", s.Outliers)
	}
	// A nearly noiseless cell (the synthetic sleep kernel: IQR of a few
	// µs): 20 µs off is within the timing resolution, not an outlier.
	quiet := []float64{0.055040, 0.055041, 0.055042, 0.055040, 0.055043, 0.055041, 0.055040, 0.055060}
	if s := Summarize(quiet, DefaultThresholds); s.Outliers != 0 {
		t.Errorf("µs-quiet cell: %d outliers, want 0 within the %g s resolution", s.Outliers, DefaultThresholds.Resolution)
	}
	if s := Summarize(quiet, testThresholds); s.Outliers != 1 {
		t.Errorf("µs-quiet cell without a resolution: %d outliers, want 1", s.Outliers)
	}
}

func ExampleSummarize() {
	s := Summarize([]float64{1.00, 1.02, 0.98, 1.01, 0.99, 1.03, 0.97, 1.00, 1.01, 0.99}, DefaultThresholds)
	fmt.Printf("n=%d median=%.3f 95%% CI [%.2f, %.2f]\n", s.N, s.Median, s.CILow, s.CIHigh)
	// Output: n=10 median=1.000 95% CI [0.98, 1.02]
}

func BenchmarkSummarize(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := make([]float64, 100)
	for i := range xs {
		xs[i] = 1 + rng.NormFloat64()*0.01
	}
	for b.Loop() {
		Summarize(xs, testThresholds)
	}
}

// testThresholds are DefaultThresholds without the timing resolution, for
// samples in arbitrary units.
var testThresholds = Thresholds{Confidence: 0.95, MaxCV: 0.05, MinN: 6, OutlierFence: 3, MinCPUShare: 0.8}
