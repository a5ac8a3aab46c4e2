package report

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/exp-tool/exp/experiment"
	"gonum.org/v1/gonum/stat/distuv"
)

// TestBuilderEqualsBuild checks that feeding a Builder one reused trial at
// a time gives Build's report.
func TestBuilderEqualsBuild(t *testing.T) {
	run, cells, trials := fixture()
	want := Build(run, cells, trials, DefaultThresholds)
	b := NewBuilder(run, cells, DefaultThresholds)
	var reused experiment.Trial
	for _, tr := range trials {
		reused = tr
		b.Add(&reused)
	}
	var gb, wb strings.Builder
	if err := WriteJSON(&gb, b.Report()); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&wb, want); err != nil {
		t.Fatal(err)
	}
	if gb.String() != wb.String() {
		t.Errorf("Builder's report differs from Build's:\n%s\nwant\n%s", gb.String(), wb.String())
	}
}

// BenchmarkBuilder measures analysing a run of 100,000 trials in 3 cells,
// fed one at a time as exp report does: the per-trial cost of Add and the
// statistics of big cells.
func BenchmarkBuilder(b *testing.B) {
	const n = 100_000 / 3
	run, cells := simRun(n)
	trials := simTrials(rand.New(rand.NewPCG(1, 2)), cells, 0.05, 0.02, true, n)
	for b.Loop() {
		bl := NewBuilder(run, cells, DefaultThresholds)
		for i := range trials {
			bl.Add(&trials[i])
		}
		if rep := bl.Report(); rep.Cells[0].N != n {
			b.Fatalf("N = %d, want %d", rep.Cells[0].N, n)
		}
	}
	b.ReportMetric(float64(len(trials)*b.N)/b.Elapsed().Seconds(), "trials/s")
}

// TestMedianCIBisection checks MedianCI's bisection against the plain scan
// of every k that it replaced.
func TestMedianCIBisection(t *testing.T) {
	for _, conf := range []float64{0.5, 0.9, 0.95, 0.99, 0.9999} {
		for n := 1; n <= 400; n++ {
			want, ok := 0, true
			b := distuv.Binomial{N: float64(n), P: 0.5}
			coverage := func(k int) float64 { return 1 - 2*b.CDF(float64(k)) }
			if coverage(0) < conf {
				ok = false
			}
			for ok && want+1 <= (n-1)/2 && coverage(want+1) >= conf {
				want++
			}
			lo, hi, gotOK := MedianCI(n, conf)
			if gotOK != ok || ok && (lo != want || hi != n-1-want) {
				t.Fatalf("MedianCI(%d, %g) = %d, %d, %v; want %d, %d, %v", n, conf, lo, hi, gotOK, want, n-1-want, ok)
			}
		}
	}
}
