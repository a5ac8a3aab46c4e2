package diagnose

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

// close reports whether got is within a relative tol of want.
func close(got, want, tol float64) bool {
	if got == want {
		return true
	}
	return math.Abs(got-want) <= tol*math.Abs(want)
}

func TestDriftReference(t *testing.T) {
	// SciPy's spearmanr documentation example: rho 0.8207826816681233,
	// p 0.08858700531354381 (the same t approximation).
	tr, err := spearman([]float64{1, 2, 3, 4, 5}, []float64{5, 6, 7, 8, 7}, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if !close(tr.Rho, 0.8207826816681233, 1e-12) || !close(tr.P, 0.08858700531354381, 1e-9) || tr.Fired {
		t.Errorf("spearman = %+v, want rho 0.82078, p 0.088587, not fired", tr)
	}
	tr, _ = Drift([]float64{1, 2, 3, 4, 5, 6, 7, 8}, 0.01)
	if tr.Rho != 1 || tr.P != 0 || !tr.Fired {
		t.Errorf("Drift of a rising sequence = %+v, want rho 1, p 0, fired", tr)
	}
}

func TestRunDrift(t *testing.T) {
	// Two interleaved cells of different sizes, each rising 1% a trial:
	// only normalised by their medians do they show one trend.
	var times [][]float64
	var seqs [][]int
	for c, base := range []float64{1, 100} {
		var xs []float64
		var ss []int
		for i := range 10 {
			xs = append(xs, base*(1+0.01*float64(i)))
			ss = append(ss, 2*i+c)
		}
		times, seqs = append(times, xs), append(seqs, ss)
	}
	tr, err := RunDrift(times, seqs, 0.01)
	if err != nil || !tr.Fired || tr.N != 20 || tr.Rho < 0.9 {
		t.Errorf("RunDrift = %+v, %v; want fired, n 20, rho > 0.9", tr, err)
	}
}

func TestDependenceReference(t *testing.T) {
	// Worked by hand: mean 4.5, sum of squares 42, lag-1 products 26.25.
	d, err := Dependence([]float64{1, 2, 3, 4, 5, 6, 7, 8}, 0.01)
	if err != nil || !close(d.R1, 0.625, 1e-12) {
		t.Errorf("Dependence = %+v, %v; want r1 0.625", d, err)
	}
	// z = (0.625 + 1/8) / (6/(8 sqrt 7)) = 2.6458: p = 0.004076.
	if !close(d.P, 0.0040759, 1e-3) || !d.Fired {
		t.Errorf("Dependence p = %g, want 0.0040759, fired", d.P)
	}
}

func TestWarmupSuggests(t *testing.T) {
	xs := []float64{1.5, 1.4, 1.3, 1.01, 0.99, 1.0, 1.02, 0.98, 1.0, 1.01, 0.99, 1.0}
	w, err := Warmup(xs, 0.01)
	if err != nil || !w.Fired || w.Suggested != 3 || !close(w.Slowdown, 0.4, 1e-9) {
		t.Errorf("Warmup = %+v, %v; want fired, 3 suggested, slowdown 0.4", w, err)
	}
	w, _ = Warmup(xs[3:], 0.01)
	if w.Fired || w.Suggested != 0 {
		t.Errorf("Warmup without the slow trials = %+v, want not fired", w)
	}
}

func TestShapeReference(t *testing.T) {
	s, err := Shape([]float64{1, 1.01, 0.99, 1, 1.1, 1.11, 1.09, 1.1, 1, 1.1}, 0.01)
	if err != nil || !s.Bimodal || s.LowGroup != 5 || s.Skewed {
		t.Errorf("Shape of two modes = %+v, %v; want bimodal at 5, not skewed", s, err)
	}
	// G1 of 1, 2, 3, 4, 10: m2 = 10, m3 = 36 (deviations -3, -2, -1, 0,
	// 6), g1 = 36/10^1.5, G1 = g1 sqrt(20)/3.
	s, _ = Shape([]float64{1, 2, 3, 4, 10}, 0.01)
	if want := 36 / math.Pow(10, 1.5) * math.Sqrt(20) / 3; !close(s.Skewness, want, 1e-12) {
		t.Errorf("skewness = %g, want %g", s.Skewness, want)
	}
	if s, _ := Shape([]float64{2, 2, 2, 2, 2}, 0.01); s.Bimodal || s.Skewed || !math.IsNaN(s.Skewness) {
		t.Errorf("Shape of equal values = %+v, want NaN and nothing fired", s)
	}
}

func TestErrors(t *testing.T) {
	if _, err := Cell(make([]float64, MinN-1), 0.01); !errors.Is(err, ErrTooFew) {
		t.Errorf("Cell of %d values: %v, want ErrTooFew", MinN-1, err)
	}
	if _, err := Cell(make([]float64, MinN), 0); !errors.Is(err, ErrBadAlpha) {
		t.Errorf("Cell at alpha 0: %v, want ErrBadAlpha", err)
	}
	equal := []float64{1, 1, 1, 1, 1, 1, 1, 1}
	c, err := Cell(equal, 0.01)
	if err != nil || c.Fired() {
		t.Errorf("Cell of equal values = %+v, %v; want nothing fired", c, err)
	}
}

func BenchmarkCell(b *testing.B) {
	xs := make([]float64, 100)
	for i := range xs {
		xs[i] = 1 + 0.01*math.Sin(float64(i))
	}
	for b.Loop() {
		if _, err := Cell(xs, DefaultAlpha); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleCell() {
	// Ten trials in run order: the first two were slow.
	xs := []float64{1.31, 1.22, 1.01, 0.99, 1.00, 1.02, 0.98, 1.00, 1.01, 0.99}
	c, err := Cell(xs, DefaultAlpha)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("warmup: p=%.2g, discard %d (%.0f%% slower)\n", c.Warmup.P, c.Warmup.Suggested, c.Warmup.Slowdown*100)
	// Drift is tested on the 8 trials after them.
	fmt.Printf("drift: rho=%.2f p=%.2g fired=%v\n", c.Drift.Rho, c.Drift.P, c.Drift.Fired)
	// Output:
	// warmup: p=1.7e-07, discard 2 (27% slower)
	// drift: rho=-0.18 p=0.67 fired=false
}

func BenchmarkCell10(b *testing.B) {
	xs := []float64{1.01, 0.99, 1.02, 0.98, 1.0, 1.03, 0.97, 1.01, 0.99, 1.0}
	for b.Loop() {
		if _, err := Cell(xs, DefaultAlpha); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMinEffect: with trials as steady as a timer's resolution, a slowdown
// or a trend far below MinEffect is significant but does not fire; the
// same pattern at 3% does.
func TestMinEffect(t *testing.T) {
	steady := func(lead, trend float64) []float64 {
		xs := make([]float64, 20)
		for i := range xs {
			xs[i] = 40e6 * (1 + trend*float64(i)/19 + 1e-5*float64(i%3))
		}
		xs[0] *= 1 + lead
		xs[1] *= 1 + lead
		return xs
	}
	for _, tc := range []struct {
		effect float64
		fire   bool
	}{{0.001, false}, {0.03, true}} {
		w, err := Warmup(steady(tc.effect, 0), DefaultAlpha)
		if err != nil || w.P >= DefaultAlpha || w.Fired != tc.fire {
			t.Errorf("warmup %g: %+v, %v; want p < alpha and fired %v", tc.effect, w, err, tc.fire)
		}
		d, err := Drift(steady(0, tc.effect), DefaultAlpha)
		if err != nil || d.P >= DefaultAlpha || d.Fired != tc.fire || !(d.Change > 0) {
			t.Errorf("drift %g: %+v, %v; want p < alpha, a change > 0 and fired %v", tc.effect, d, err, tc.fire)
		}
	}
}
