package order

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// sortMedian is the median of a sorted copy of xs: what Median must give.
func sortMedian(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	switch {
	case n == 0:
		return math.NaN()
	case n%2 == 1:
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// TestMedian checks Median against sorting, bit for bit: odd and even
// sizes, ties, sorted and reversed input (bad for a naive pivot), and NaN.
func TestMedian(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	check := func(name string, xs []float64) {
		t.Helper()
		want := sortMedian(xs)
		got := Median(slices.Clone(xs))
		if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("%s, n=%d: Median = %v, sorting gives %v", name, len(xs), got, want)
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
	check("signed zeros", []float64{0, math.Copysign(0, -1), 1, -1})
}

// TestKth checks that Kth leaves xs partitioned about xs[k].
func TestKth(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for n := 1; n <= 300; n += 7 {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = float64(rng.IntN(n/3 + 1))
		}
		want := slices.Sorted(slices.Values(xs))
		for k := 0; k < n; k += 5 {
			got := Kth(xs, k)
			if got != want[k] || slices.Max(xs[:k+1]) != got || slices.Min(xs[k:]) != got {
				t.Fatalf("n=%d: Kth(%d) = %v, want %v, partitioned about it", n, k, got, want[k])
			}
		}
	}
}

func BenchmarkMedian(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := make([]float64, 166_666)
	for i := range xs {
		xs[i] = math.Exp(rng.NormFloat64() * 0.2)
	}
	work := make([]float64, len(xs))
	for b.Loop() {
		copy(work, xs)
		Median(work)
	}
}
