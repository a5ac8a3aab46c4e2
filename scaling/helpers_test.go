package scaling

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// near reports whether got is within rel of want, relative to |want| (or
// absolutely, when want is 0). NaN is near only NaN, and an infinity only
// itself.
func near(got, want, rel float64) bool {
	switch {
	case math.IsNaN(want) || math.IsNaN(got):
		return math.IsNaN(want) && math.IsNaN(got)
	case math.IsInf(want, 0) || math.IsInf(got, 0):
		return got == want
	case want == 0:
		return math.Abs(got) <= rel
	}
	return math.Abs(got-want) <= rel*math.Abs(want)
}

// checkNear fails tb when got is not near want.
func checkNear(tb testing.TB, name string, got, want, rel float64) {
	tb.Helper()
	if !near(got, want, rel) {
		tb.Errorf("%s = %.10g, want %.10g (relative tolerance %g)", name, got, want, rel)
	}
}

// hasWarning reports whether one of ws wraps target.
func hasWarning(ws []error, target error) bool {
	for _, w := range ws {
		if errors.Is(w, target) {
			return true
		}
	}
	return false
}

// points builds unweighted Points from processor counts and measurements.
func points(p, y []float64) []Point {
	out := make([]Point, len(p))
	for i := range p {
		out[i] = Point{P: p[i], Y: y[i]}
	}
	return out
}

// raytracerP and raytracerX are Gunther's ray-tracing benchmark
// (Gunther 2007, Guerrilla Capacity Planning; the raytracer data set of R's
// usl package): processors and throughput.
var (
	raytracerP = []float64{1, 4, 8, 12, 16, 20, 24, 28, 32, 48, 64}
	raytracerX = []float64{20, 78, 130, 170, 190, 200, 210, 230, 260, 280, 310}
)

// quantile is the q-quantile of xs by nearest rank; xs is sorted in place.
func quantile(xs []float64, q float64) float64 {
	slices.Sort(xs)
	return xs[int(q*float64(len(xs)-1))]
}
