package scaling

import (
	"math"
	"slices"
	"testing"
)

// near reports whether got is within rel (relative) of want, or within rel
// absolutely when want is 0.
func near(got, want, rel float64) bool {
	if want == 0 {
		return math.Abs(got) <= rel
	}
	return math.Abs(got-want) <= rel*math.Abs(want)
}

func checkNear(t testing.TB, name string, got, want, rel float64) {
	t.Helper()
	if !near(got, want, rel) {
		t.Errorf("%s = %.6g, want %.6g (±%g relative)", name, got, want, rel)
	}
}

// quantile is the q-quantile of xs by nearest rank; xs is sorted in place.
func quantile(xs []float64, q float64) float64 {
	slices.Sort(xs)
	return xs[int(q*float64(len(xs)-1))]
}
