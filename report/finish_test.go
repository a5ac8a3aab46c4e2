package report

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"
)

// TestMedianSelect checks medianSelect against median, bit for bit: odd
// and even sizes, ties, sorted and reversed input (bad for a naive
// pivot), and NaN.
func TestMedianSelect(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	check := func(name string, xs []float64) {
		t.Helper()
		want := median(xs)
		got := medianSelect(slices.Clone(xs))
		if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("%s, n=%d: medianSelect = %v, median = %v", name, len(xs), got, want)
		}
	}
	for n := 0; n <= 80; n++ {
		random, ties := make([]float64, n), make([]float64, n)
		for i := range n {
			random[i], ties[i] = rng.Float64(), float64(rng.IntN(3))
		}
		check("random", random)
		check("ties", ties)
		sorted := slices.Sorted(slices.Values(random))
		check("sorted", sorted)
		slices.Reverse(sorted)
		check("reversed", sorted)
	}
	big := make([]float64, 200_000)
	for i := range big {
		big[i] = float64(rng.IntN(1000))
	}
	check("big", big)
	check("big odd", big[1:])
	check("NaN", []float64{3, math.NaN(), 1, 2})
}

// TestEachCell checks that eachCell calls f once for every index.
func TestEachCell(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 100} {
		calls := make([]atomic.Int32, n)
		eachCell(n, func(i int) { calls[i].Add(1) })
		for i := range calls {
			if c := calls[i].Load(); c != 1 {
				t.Errorf("n=%d: f(%d) called %d times", n, i, c)
			}
		}
	}
}
