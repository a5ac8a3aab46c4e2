package report

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestSecondsPrintShortest: times computed from whole nanoseconds print in
// at most 9 decimals, never with float64 noise such as 0.10634679899999999.
func TestSecondsPrintShortest(t *testing.T) {
	if got := text(seconds(0.10634679899999999)); got != "0.106346799" {
		t.Errorf("text(seconds(0.10634679899999999)) = %s, want 0.106346799", got)
	}
	for _, x := range []float64{math.NaN(), math.Inf(1)} {
		if got := text(seconds(x)); got != "" {
			t.Errorf("text(seconds(%v)) = %q, want empty", x, got)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10_000 {
		// A mean of three trials, as Summarize computes it.
		ns := []int64{rng.Int64N(1e10), rng.Int64N(1e10), rng.Int64N(1e10)}
		mean := (float64(ns[0])/1e9 + float64(ns[1])/1e9 + float64(ns[2])/1e9) / 3
		got := text(seconds(mean))
		if _, frac, ok := strings.Cut(got, "."); ok && len(frac) > 9 {
			t.Fatalf("mean of %v ns prints as %s", ns, got)
		}
		if back, err := strconv.ParseFloat(got, 64); err != nil || math.Abs(back-mean) > 1e-9 {
			t.Fatalf("%s does not read back as %v", got, mean)
		}
	}
}
