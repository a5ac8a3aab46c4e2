package diagnose

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// SkewLimit is the skewness beyond which a cell is called skewed: Bulmer's
// (1979) "highly skewed" |skewness| > 1. Real timings are skewed to the
// right (a lognormal of sigma 0.2 has skewness 0.61), so a test of zero
// skewness would flag good cells; Shape instead fires only when the
// skewness is confidently beyond SkewLimit.
var SkewLimit = 1.0

// ShapeTest describes the distribution of a cell's trials: bimodality,
// which makes the median jump between the modes from run to run, and
// skewness.
type ShapeTest struct {
	N int // values tested
	// Bimodality is the share of the variance explained by the best split
	// of the sorted values into a low and a high group of at least a
	// quarter of the values each (at least 2), so that a few random
	// outliers are not a second mode; R^2 = between-group / total sum of squares
	// (the one-dimensional two-means split): near 2/pi = 0.64 for one
	// normal mode, near 1 for two well-separated ones. NaN when every value
	// is equal.
	Bimodality float64
	// BimodalityLimit is where Bimodal fires: 2/pi + c/sqrt(N), with
	// c = 0.27 + 0.28 z(1-alpha) (0.73 at alpha 0.05, 0.92 at 0.01), z the
	// standard normal quantile. c was fitted to the upper quantiles of
	// Bimodality in 4000 simulated cells each of normal and lognormal
	// (sigma 0.2) trials, N from 8 to 200 (TestShapeCalibration).
	BimodalityLimit float64
	// LowGroup is the size of the low group of the best split.
	LowGroup int
	Bimodal  bool // Bimodality > BimodalityLimit
	// Skewness is the adjusted Fisher–Pearson sample skewness
	// G1 = g1 sqrt(n(n-1))/(n-2), g1 = m3/m2^1.5 (Joanes & Gill 1998):
	// above 0, a long tail of slow trials. NaN when every value is equal.
	Skewness float64
	// SkewnessSE is G1's standard error for normal samples,
	// sqrt(6n(n-1) / ((n-2)(n+1)(n+3))).
	SkewnessSE float64
	// Skewed is whether |Skewness| - z(1-alpha) SkewnessSE > SkewLimit:
	// the skewness is confidently beyond SkewLimit.
	Skewed bool
}

// Shape describes the distribution of xs, one cell's wall times in any
// order. It returns ErrTooFew for fewer than 4 values and ErrBadAlpha for
// alpha outside (0, 1).
func Shape(xs []float64, alpha float64) (ShapeTest, error) { return shape(xs, nil, alpha) }

// shape is Shape with xs sorted ascending in sorted, or nil to sort a copy.
func shape(xs, sorted []float64, alpha float64) (ShapeTest, error) {
	n := len(xs)
	nan := math.NaN()
	s := ShapeTest{N: n, Bimodality: nan, BimodalityLimit: nan, Skewness: nan, SkewnessSE: nan}
	if err := checkAlpha(alpha); err != nil {
		return s, err
	}
	if n < 4 {
		return s, ErrTooFew
	}
	z := distuv.UnitNormal.Quantile(1 - alpha)
	fn := float64(n)
	s.BimodalityLimit = 2/math.Pi + (0.27+0.28*z)/math.Sqrt(fn)
	if sorted == nil {
		sorted = slices.Sorted(slices.Values(xs))
	}
	s.Bimodality, s.LowGroup = bestSplit(sorted, max(2, (n+3)/4))
	s.Bimodal = s.Bimodality > s.BimodalityLimit
	s.SkewnessSE = math.Sqrt(6 * fn * (fn - 1) / ((fn - 2) * (fn + 1) * (fn + 3)))
	s.Skewness = skewness(xs)
	s.Skewed = math.Abs(s.Skewness)-z*s.SkewnessSE > SkewLimit
	return s, nil
}

// skewness is the adjusted Fisher–Pearson skewness G1 of xs (len >= 3).
func skewness(xs []float64) float64 {
	fn := float64(len(xs))
	var m float64
	for _, x := range xs {
		m += x
	}
	m /= fn
	var m2, m3 float64
	for _, x := range xs {
		d := x - m
		m2 += d * d
		m3 += d * d * d
	}
	m2, m3 = m2/fn, m3/fn
	if m2 == 0 || flat(xs) {
		return math.NaN()
	}
	g1 := m3 / math.Pow(m2, 1.5)
	return g1 * math.Sqrt(fn*(fn-1)) / (fn - 2)
}

// bestSplit returns the largest share of the variance of sorted (ascending)
// explained by splitting it into a low and a high group, each of at least
// minSide values: R^2 = between-group / total sum of squares (the 1-D
// two-means, or Otsu's, split), and the size of the low group. R^2 is NaN
// when every value is equal.
func bestSplit(sorted []float64, minSide int) (r2 float64, low int) {
	n := len(sorted)
	var total, sum float64
	for _, x := range sorted {
		sum += x
	}
	mean := sum / float64(n)
	for _, x := range sorted {
		total += (x - mean) * (x - mean)
	}
	if total == 0 || n < 2*minSide || flat(sorted) {
		return math.NaN(), 0
	}
	best, at, left := -1.0, 0, 0.0
	for i, x := range sorted[:n-minSide] {
		left += x
		k := i + 1
		if k < minSide {
			continue
		}
		ml, mr := left/float64(k), (sum-left)/float64(n-k)
		between := float64(k)*(ml-mean)*(ml-mean) + float64(n-k)*(mr-mean)*(mr-mean)
		if between > best {
			best, at = between, k
		}
	}
	return best / total, at
}
