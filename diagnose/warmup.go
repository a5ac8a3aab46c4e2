package diagnose

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// MaxWarmup is the most leading trials Warmup considers discarding.
var MaxWarmup = 5

// WarmupTest is a test of whether a cell's first trials, in run order, are
// slower than the rest: cold caches, page faults, a JIT, a CPU frequency
// ramping up.
type WarmupTest struct {
	N int // values tested
	// K is how many leading counts were tested: the first k trials against
	// the rest for each k in 1..K, K = min(MaxWarmup, N/2-1), so that at
	// least half the trials are the rest.
	K int
	// P is the smallest of the K one-sided p-values, multiplied by K
	// (Bonferroni) and at most 1. Each compares the mean log time of the
	// first k trials with the rest's: t = (mean_k - mean_rest) /
	// (s_rest sqrt(1/k + 1/(n-k))), Student's t with n-k-1 degrees of
	// freedom for independent lognormal trials (the prediction interval of
	// the mean of k new values); the rest's standard deviation alone, so
	// that the slow trials do not hide themselves.
	P float64
	// Suggested is how many leading trials to discard (exp run's warmup):
	// the k with the smallest p-value when Fired, else 0.
	Suggested int
	// Slowdown is the median of the first Suggested trials over the median
	// of the rest, minus 1, as a fraction (0.3 = 30% slower); 0 when not
	// Fired.
	Slowdown float64
	Fired    bool // P < alpha and the slowdown is at least MinEffect
}

// Warmup tests xs, one cell's wall times in run order (all > 0), for slow
// leading trials. It returns ErrTooFew for fewer than 4 values and
// ErrBadAlpha for alpha outside (0, 1).
func Warmup(xs []float64, alpha float64) (WarmupTest, error) {
	n := len(xs)
	w := WarmupTest{N: n, P: 1}
	if err := checkAlpha(alpha); err != nil {
		return w, err
	}
	if n < 4 {
		return w, ErrTooFew
	}
	w.K = max(1, min(MaxWarmup, n/2-1))
	logs := make([]float64, n)
	for i, x := range xs {
		logs[i] = math.Log(x)
	}
	best, bestK := 1.0, 0
	for k := 1; k <= w.K; k++ {
		if p := leadingP(logs, k); p < best {
			best, bestK = p, k
		}
	}
	w.P = min(1, best*float64(w.K))
	if w.P < alpha {
		slow := median(xs[:bestK])/median(xs[bestK:]) - 1
		if w.Fired = slow >= MinEffect; w.Fired {
			w.Suggested, w.Slowdown = bestK, slow
		}
	}
	return w, nil
}

// leadingP is the one-sided p-value of the first k of logs being no
// larger on average than the rest (see WarmupTest.P); 1 when the rest are
// all equal or not finite.
func leadingP(logs []float64, k int) float64 {
	n := len(logs)
	lead, rest := logs[:k], logs[k:]
	var ml, mr float64
	for _, x := range lead {
		ml += x
	}
	for _, x := range rest {
		mr += x
	}
	ml, mr = ml/float64(k), mr/float64(n-k)
	var ss float64
	for _, x := range rest {
		ss += (x - mr) * (x - mr)
	}
	sd := math.Sqrt(ss / float64(n-k-1))
	if !(sd > 0) || math.IsInf(sd, 0) {
		return 1
	}
	t := (ml - mr) / (sd * math.Sqrt(1/float64(k)+1/float64(n-k)))
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - k - 1)}.Survival(t)
}
