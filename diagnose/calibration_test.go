package diagnose

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"
)

var calibrate = flag.Bool("calibrate", false, "print the false-alarm rate and power of every diagnostic (slow)")

// reps is the number of simulated cells per case: enough that a rate of
// 1% is known to about ±0.2%, and one of 87% to ±0.6% (under -short, 500:
// ±0.4% and ±1.5%).
func reps() int {
	if testing.Short() {
		return 500
	}
	return 3000
}

// TestFalseAlarms checks that no diagnostic fires on more than 3% of
// clean cells (iid normal or lognormal trials) of 8 to 50 trials at
// DefaultAlpha = 1%, nor all of them together on more than 6%.
// TestCalibrationTable measured (4000 cells per case) 0% to 1.5% per
// diagnostic, drift the highest, and 2.3% to 4.1% for any of them.
func TestFalseAlarms(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, g := range cleanGens {
		for _, n := range []int{8, 10, 20, 50} {
			rs := rates(rng, g, n, reps())
			for i, d := range diagnostics {
				limit := 0.03
				if d.name == "any" {
					limit = 0.06
				}
				if r := rs[i]; r > limit {
					t.Errorf("%s, n=%d: %s fired on %.1f%% of clean cells, want <= %g%%", g.name, n, d.name, r*100, limit*100)
				}
			}
		}
	}
}

// powerCases are the faults each diagnostic must catch in at least 80% of
// cells, at the fewest trials where it does. The comments give the power
// TestCalibrationTable measured (4000 cells), and below 80% at fewer trials.
var powerCases = []struct {
	g    gen
	diag int // index into diagnostics
	n    int
}{
	{drifting(normal(0.01), 0.1), 0, 8},      // 99%
	{drifting(normal(0.02), 0.1), 0, 20},     // 100% (84% at n=10, 63% at 8)
	{drifting(normal(0.05), 0.1), 0, 50},     // 88% (62% at n=30, 38% at 20: the trend is a third of the noise)
	{drifting(lognormal(0.05), 0.1), 0, 50},  // 87% (63% at n=30)
	{warming(normal(0.01), 2, 0.2), 1, 8},    // 100%
	{warming(normal(0.05), 2, 0.2), 1, 20},   // 93% (73% at n=10)
	{warming(normal(0.05), 3, 0.2), 1, 20},   // 99% (79% at n=10)
	{warming(lognormal(0.05), 3, 0.5), 1, 8}, // 100%
	{ar1(0.7, 0.02), 2, 50},                  // 98% (81% at n=30, 52% at 20: a third of such cells also drift, and are detrended)
	{bimodal(normal(0.01), 0.1), 3, 10},      // 91% (56% at n=8)
	{bimodal(normal(0.02), 0.1), 3, 30},      // 91% (68% at n=20)
}

// TestPower checks that each diagnostic fires on at least 80% of cells
// with the fault it looks for.
func TestPower(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, c := range powerCases {
		d := diagnostics[c.diag]
		if r := rates(rng, c.g, c.n, reps())[c.diag]; r < 0.8 {
			t.Errorf("%s, n=%d: %s fired on %.1f%% of cells, want >= 80%%", c.g.name, c.n, d.name, r*100)
		}
	}
}

// TestCalibrationTable prints every rate under -calibrate: go test
// ./diagnose -run CalibrationTable -calibrate -v.
func TestCalibrationTable(t *testing.T) {
	if !*calibrate {
		t.Skip("run with -calibrate")
	}
	rng := rand.New(rand.NewPCG(3, 3))
	ns := []int{8, 10, 20, 30, 50}
	for _, g := range cleanGens {
		for _, n := range ns {
			s := fmt.Sprintf("clean %-22s n=%3d", g.name, n)
			for i, r := range rates(rng, g, n, 4000) {
				s += fmt.Sprintf("  %s %.2f%%", diagnostics[i].name, 100*r)
			}
			t.Log(s)
		}
	}
	faults := []struct {
		g    gen
		diag int
	}{
		{drifting(normal(0.01), 0.1), 0}, {drifting(normal(0.02), 0.1), 0}, {drifting(normal(0.05), 0.1), 0},
		{drifting(lognormal(0.05), 0.1), 0},
		{warming(normal(0.01), 2, 0.2), 1}, {warming(normal(0.05), 2, 0.2), 1}, {warming(normal(0.05), 3, 0.2), 1},
		{warming(lognormal(0.05), 3, 0.5), 1}, {warming(lognormal(0.2), 3, 0.5), 1},
		{ar1(0.7, 0.02), 2}, {ar1(0.7, 0.2), 2},
		{bimodal(normal(0.01), 0.1), 3}, {bimodal(normal(0.02), 0.1), 3},
		{lognormal(0.8), 4},
	}
	for _, f := range faults {
		s := fmt.Sprintf("%-40s %-10s", f.g.name, diagnostics[f.diag].name)
		var others string
		for _, n := range ns {
			rs := rates(rng, f.g, n, 4000)
			s += fmt.Sprintf("  n=%d %.1f%%", n, 100*rs[f.diag])
			if n == 30 {
				for i, r := range rs {
					others += fmt.Sprintf("  %s %.1f%%", diagnostics[i].name, 100*r)
				}
			}
		}
		t.Log(s)
		t.Log("    all at n=30:" + others)
	}
}
