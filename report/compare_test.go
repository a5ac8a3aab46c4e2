package report

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/scaling"
)

func TestMinUTestP(t *testing.T) {
	for _, tc := range []struct {
		n1, n2 int
		want   float64
	}{
		{3, 3, 2.0 / 20}, // C(6,3) = 20: the U test cannot reach 0.05
		{4, 4, 2.0 / 70},
		{6, 6, 2.0 / 924},
		{1, 1, 1},
	} {
		checkClose(t, "minUTestP", minUTestP(tc.n1, tc.n2), tc.want, 1e-9)
	}
}

func TestCompare(t *testing.T) {
	run, cells, trials := fixture()
	side := Side{Run: run, Cells: cells, Trials: trials}
	opt := CompareOptions{Thresholds: DefaultThresholds, Threshold: DefaultThreshold, Alpha: DefaultAlpha}
	t.Run("Itself", func(t *testing.T) {
		c := Compare(side, side, opt)
		if len(c.Cells) != 3 || !c.Verdict.Reproduced || c.Geomean != 1 || len(c.Hosts) != 0 {
			t.Fatalf("cells %d, verdict %+v, geomean %g, hosts %v", len(c.Cells), c.Verdict, c.Geomean, c.Hosts)
		}
		for _, f := range c.Fits {
			if !f.Agree || f.Diff != 0 {
				t.Errorf("fit %+v: want agreement and no difference", f)
			}
		}
	})
	t.Run("SlowerAndOtherHost", func(t *testing.T) {
		slow := side
		slow.Run.ID, slow.Run.Host.CPUModel = 8, "Other CPU"
		slow.Trials = append([]experiment.Trial(nil), trials...)
		for i := range slow.Trials {
			slow.Trials[i].WallNS = slow.Trials[i].WallNS * 3 / 2
		}
		c := Compare(side, slow, opt)
		// The 4-worker cell's failed trial is left out: 7+6 trials.
		for _, d := range c.Cells {
			if !d.Differs || math.Abs(d.Delta-0.5) > 1e-9 {
				t.Errorf("%d workers: delta %g, differs %v; want +50%%, significant", d.Workers, d.Delta, d.Differs)
			}
		}
		if c.Verdict.Reproduced || !strings.HasPrefix(c.Verdict.Line, "not reproduced: 3 of 3 cells differ") {
			t.Errorf("verdict %+v", c.Verdict)
		}
		if len(c.Hosts) != 1 || c.Hosts[0].Field != "cpu_model" || !hasWarning(c.Warnings, ErrHostsDiffer) {
			t.Errorf("hosts %v, warnings %v: want the CPU model", c.Hosts, c.Warnings)
		}
	})
	t.Run("BelowThreshold", func(t *testing.T) {
		near := side
		near.Trials = append([]experiment.Trial(nil), trials...)
		for i := range near.Trials {
			near.Trials[i].WallNS = near.Trials[i].WallNS * 102 / 100
		}
		c := Compare(side, near, opt)
		for _, d := range c.Cells {
			if d.Differs {
				t.Errorf("%d workers: a 2%% change below the 5%% threshold counted as a difference", d.Workers)
			}
		}
		if !c.Verdict.Reproduced {
			t.Errorf("verdict %+v", c.Verdict)
		}
	})
}

// TestWriteComparison renders a comparison in every format exp compare
// accepts.
func TestWriteComparison(t *testing.T) {
	run, cells, trials := fixture()
	side := Side{Run: run, Cells: cells, Trials: trials}
	other := side
	other.Cells = cells[:2] // the 4-worker cell only in A
	c := Compare(side, other, CompareOptions{Thresholds: DefaultThresholds, Threshold: DefaultThreshold, Alpha: DefaultAlpha})
	for _, f := range CompareFormats {
		var b strings.Builder
		if err := WriteComparison(&b, f, c); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		var want []string
		switch f {
		case FormatTable:
			want = []string{"A MEDIAN", "geomean", "only in A (run 7): [10000000000000, +1000) chunked, 4 workers", "verdict: not reproduced: 1 of 3 cells could not be compared"}
		case FormatMarkdown:
			want = []string{"## Run 7 vs run 7", "| RANGE | SCHEDULE | WORKERS |", "- verdict: not reproduced"}
		case FormatCSV:
			want = []string{strings.Join(compareCSVHeader, ","), "cell,10000000000000,1000,chunked,4,a,", ",chunked,2,both,7,", "fit,10000000000000,1000,chunked,,both,"}
		case FormatJSON:
			want = []string{`"only_a": [`, `"verdict": {`, `"reproduced": false`}
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s output lacks %q:\n%s", f, w, out)
			}
		}
	}
}

// TestCompareFitsDisagree: a faster 2-worker cell changes B; the
// difference's interval excludes 0 and the verdict names the fit.
func TestCompareFitsDisagree(t *testing.T) {
	run, cells, trials := fixture()
	a := Side{Run: run, Cells: cells, Trials: trials}
	b := a
	b.Trials = append([]experiment.Trial(nil), trials...)
	for i := range b.Trials {
		if b.Trials[i].Cell == 1 {
			b.Trials[i].WallNS = b.Trials[i].WallNS * 6 / 10 // 6 s -> 3.6 s: B from 0.2 to about -0.28
		}
	}
	c := Compare(a, b, CompareOptions{Thresholds: DefaultThresholds, Threshold: DefaultThreshold, Alpha: DefaultAlpha})
	if len(c.Fits) != 1 {
		t.Fatalf("%d fits", len(c.Fits))
	}
	f := c.Fits[0]
	fa, fb := f.A.Amdahl, f.B.Amdahl
	se := func(m scaling.AmdahlFit) float64 { return (m.BHigh - m.BLow) / (2 * m.Quantile) }
	half := max(fa.Quantile, fb.Quantile) * math.Hypot(se(fa), se(fb))
	checkClose(t, "Diff", f.Diff, fb.B-fa.B, 1e-12)
	checkClose(t, "DiffLow", f.DiffLow, f.Diff-half, 1e-12)
	checkClose(t, "DiffHigh", f.DiffHigh, f.Diff+half, 1e-12)
	if f.Agree || !strings.Contains(c.Verdict.Line, "B differs for [10000000000000, +1000) chunked") {
		t.Errorf("agree %v, verdict %q: want B differs", f.Agree, c.Verdict.Line)
	}
}

// TestCompareProcesses: runs measured in 4 processes each compare 4
// process medians a side, not 12 trials: their trials share a process's
// offset, and taken as independent they would make a chance difference
// between processes look significant.
func TestCompareProcesses(t *testing.T) {
	build := func(id int64, offsets []float64) *Report {
		rng := rand.New(rand.NewPCG(uint64(id), 1))
		run := experiment.Run{ID: id, Status: experiment.StatusDone, Kernel: "synthetic", Scaling: experiment.ScalingStrong, Seed: id,
			Repeats: 12, ProcessInvocations: len(offsets)}
		cells := []experiment.Cell{{Range: experiment.Range{Count: 1000}, Schedule: experiment.Static, Workers: 1}}
		var trials []experiment.Trial
		for p, off := range offsets {
			for range 3 {
				x := 0.1 * (1 + off) * (1 + 0.001*rng.NormFloat64())
				trials = append(trials, experiment.Trial{Step: experiment.Step{Seq: len(trials), Invocation: p}, WallNS: int64(x * 1e9), OK: true})
			}
		}
		return Build(run, cells, trials, DefaultThresholds)
	}
	// The same program: process offsets of ±10%, B's a little slower by chance.
	c := CompareReports(build(1, []float64{-0.1, 0.0, 0.1, -0.05}), build(2, []float64{0.05, 0.1, -0.02, 0.12}), CompareOptions{})
	d := c.Cells[0]
	if d.NA != 4 || d.NB != 4 || d.Differs {
		t.Errorf("n %d+%d, p %.3g, differs %v: want 4 process medians a side and no significant change", d.NA, d.NB, d.P, d.Differs)
	}
	if !slices.ContainsFunc(c.Warnings, func(e error) bool { return strings.Contains(e.Error(), "each process's median is one sample") }) {
		t.Errorf("no note on the processes: %v", c.Warnings)
	}
}
