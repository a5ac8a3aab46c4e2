package diagnose

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestRanksEqualStable checks ranks' fast paths against the stable sort
// of positions it replaced, bit for bit: positions, ties, reversed runs,
// signed zeros and NaN.
func TestRanksEqualStable(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	check := func(name string, xs []float64) {
		t.Helper()
		got, gotTied := ranks(xs)
		want, wantTied := ranksStable(xs)
		if gotTied != wantTied || len(got) != len(want) {
			t.Fatalf("%s: tied %v, want %v", name, gotTied, wantTied)
		}
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("%s: rank %d = %v, want %v", name, i, got[i], want[i])
			}
		}
	}
	for _, n := range []int{0, 1, 2, 3, 10, 101, 5000} {
		pos, ties, noise := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range n {
			pos[i], ties[i], noise[i] = float64(i), float64(rng.IntN(7)), rng.NormFloat64()
		}
		check("positions", pos)
		check("ties", ties)
		check("noise", noise)
		slices.Reverse(pos)
		check("reversed", pos)
	}
	check("signed zeros", []float64{0, math.Copysign(0, -1), 1, 0, -1})
	check("NaN", []float64{2, math.NaN(), 1, 3, math.NaN()})
	check("repeated position", []float64{0, 1, 1, 2})
}

// BenchmarkCellBig measures the diagnostics of one cell of 166,667
// trials, a sixth of a million-trial run.
func BenchmarkCellBig(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := make([]float64, 166_667)
	for i := range xs {
		xs[i] = 3.5e-3 * math.Exp(0.05*rng.NormFloat64())
	}
	for b.Loop() {
		if _, err := Cell(xs, DefaultAlpha); err != nil {
			b.Fatal(err)
		}
	}
}
