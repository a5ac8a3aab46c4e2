package diagnose

import (
	"cmp"
	"math"
	"slices"

	"github.com/exp-tool/exp/internal/order"
	"gonum.org/v1/gonum/stat/distuv"
)

// Trend is a test of a monotone trend of wall time with run order:
// Spearman's rank correlation rho between the times and their positions,
// and its two-sided p-value.
type Trend struct {
	N int // values tested
	// Rho is Spearman's rank correlation of time with run order, in
	// [-1, 1]: above 0 the trials got slower as the run went on. NaN when
	// every value is equal.
	Rho float64
	// P is the two-sided p-value of rho = 0, from Student's t with n-2
	// degrees of freedom, t = rho sqrt((n-2)/(1-rho^2)) (Kendall & Stuart
	// 1979, 31.19); 1 when Rho is NaN.
	P float64
	// Change is the median of the last third of the values over the median
	// of the first third, minus 1 (0.05: 5% slower by the end); 0 for
	// fewer than 3 values.
	Change float64
	Fired  bool // P < alpha and |Change| >= MinEffect
}

// Drift tests xs, one cell's wall times in run order, for a trend with run
// order: thermal throttling, a filling cache or disk, another job starting.
// It returns ErrTooFew for fewer than 3 values and ErrBadAlpha for alpha
// outside (0, 1).
func Drift(xs []float64, alpha float64) (Trend, error) {
	t, _, err := drift(xs, alpha)
	return t, err
}

// drift is Drift, and xs sorted ascending, which it sorts anyway for the
// ranks; sorted is nil when the test did not sort it.
func drift(xs []float64, alpha float64) (t Trend, sorted []float64, err error) {
	pos := make([]float64, len(xs))
	for i := range pos {
		pos[i] = float64(i)
	}
	return spearmanSorted(pos, xs, alpha)
}

// RunDrift tests a whole run for a trend of wall time with run order.
// times[c] are cell c's wall times and seqs[c] their positions in the run
// (the trials' seq), pairwise. Each time is divided by its cell's median,
// so that cells of different sizes compare, and the ratios of every cell
// with at least 2 trials are pooled into one Spearman correlation with seq.
// It returns ErrTooFew for fewer than 3 pooled trials and ErrBadAlpha for
// alpha outside (0, 1).
func RunDrift(times [][]float64, seqs [][]int, alpha float64) (Trend, error) {
	var pos, ratio []float64
	for c, xs := range times {
		if len(xs) < 2 {
			continue
		}
		m := median(xs)
		for i, x := range xs {
			pos = append(pos, float64(seqs[c][i]))
			ratio = append(ratio, x/m)
		}
	}
	return spearman(pos, ratio, alpha)
}

// spearman tests the rank correlation of xs and ys.
func spearman(xs, ys []float64, alpha float64) (Trend, error) {
	t, _, err := spearmanSorted(xs, ys, alpha)
	return t, err
}

// spearmanSorted tests the rank correlation of xs and ys, and returns ys
// sorted ascending when its ranks sorted it (else nil).
func spearmanSorted(xs, ys []float64, alpha float64) (t Trend, sorted []float64, err error) {
	t = Trend{N: len(xs), Rho: math.NaN(), P: 1}
	if err := checkAlpha(alpha); err != nil {
		return t, nil, err
	}
	if len(xs) < 3 {
		return t, nil, ErrTooFew
	}
	rx, _ := ranks(xs)
	ry, _, sorted := ranksSorted(ys)
	t.Rho = pearson(rx, ry)
	if math.IsNaN(t.Rho) {
		return t, sorted, nil
	}
	df := float64(t.N - 2)
	if math.Abs(t.Rho) >= 1 {
		t.P = 0
	} else {
		stat := t.Rho * math.Sqrt(df/(1-t.Rho*t.Rho))
		t.P = 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(math.Abs(stat))
	}
	// The change along xs: the values of ys ordered by xs (as they are
	// when xs are positions).
	byX := make([]int, len(xs))
	for i := range byX {
		byX[i] = i
	}
	if !slices.IsSorted(xs) {
		slices.SortStableFunc(byX, func(a, b int) int { return cmp.Compare(xs[a], xs[b]) })
	}
	third := len(byX) / 3
	first, last := make([]float64, third), make([]float64, third)
	for i := range third {
		first[i], last[i] = ys[byX[i]], ys[byX[len(byX)-third+i]]
	}
	if m := order.Median(first); m > 0 {
		t.Change = order.Median(last)/m - 1
	}
	t.Fired = t.P < alpha && math.Abs(t.Change) >= MinEffect
	return t, sorted, nil
}

// median is the median of xs (not empty); xs is not modified.
func median(xs []float64) float64 { return order.Median(slices.Clone(xs)) }
