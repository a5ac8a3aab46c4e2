package scaling

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestMedianSESorted checks that MedianSESorted is MedianSE bit for bit:
// odd and even sizes, many ties (a coarse timer), more than half equal
// (the standard deviation fallback), all equal, NaN and infinities.
func TestMedianSESorted(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	check := func(name string, xs []float64) {
		t.Helper()
		sorted := slices.Sorted(slices.Values(xs))
		got, want := MedianSESorted(xs, sorted), MedianSE(xs)
		if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("%s, n=%d: MedianSESorted = %v, MedianSE = %v", name, len(xs), got, want)
		}
	}
	for n := 0; n <= 60; n++ {
		lognormal, coarse, mostlyEqual := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range n {
			lognormal[i] = math.Exp(rng.NormFloat64() * 0.3)
			coarse[i] = float64(rng.IntN(4)) * 1e-3
			mostlyEqual[i] = 0.5
			if rng.IntN(4) == 0 {
				mostlyEqual[i] = rng.Float64()
			}
		}
		check("lognormal", lognormal)
		check("coarse", coarse)
		check("mostly equal", mostlyEqual)
	}
	big := make([]float64, 100_001)
	for i := range big {
		big[i] = 3e-3 + float64(rng.IntN(100_000))*1e-9
	}
	check("big", big)
	check("big even", big[1:])
	check("NaN", []float64{1, math.NaN(), 2, 3})
	check("Inf", []float64{1, math.Inf(1), 2, 3})
	check("-Inf", []float64{1, math.Inf(-1), 2, 3})
}
