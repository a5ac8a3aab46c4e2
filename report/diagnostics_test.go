package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/exp-tool/exp/diagnose"
	"github.com/exp-tool/exp/experiment"
)

// diagnosticSentinels are the warnings a cell's diagnostics can add.
var diagnosticSentinels = []error{ErrDrift, ErrWarmup, ErrDependent, ErrBimodal, ErrSkewed}

// faultyRun is a run of one cell per fault, 30 measured trials each after
// one warmup, interleaved round-robin in run order, with 2% lognormal
// noise: clean, drift (+10% over the cell), warmup (first 3 trials 40%
// slower), dependent (AR(1), phi 0.9), bimodal (half the trials 10%
// slower, 1% noise), and a cell of 5 trials. Each trial of a cell also has
// a failed twin at 10x its time, first in run order, which must be left
// out. trials are returned in reverse run order.
func faultyRun() (experiment.Run, []experiment.Cell, []experiment.Trial) {
	names := []string{"clean", "drift", "warmup", "dependent", "bimodal", "few"}
	run := experiment.Run{ID: 1, Name: "faults", Status: experiment.StatusDone, Kernel: "synthetic", Repeats: 30, Warmup: 1}
	var cells []experiment.Cell
	for i := range names {
		cells = append(cells, experiment.Cell{Index: i, Range: experiment.Range{Start: uint64(i), Count: 1000}, Schedule: experiment.Chunked, Workers: 1})
	}
	rng := rand.New(rand.NewPCG(13, 3))
	times := make([][]float64, len(names))
	for c, name := range names {
		n := 30
		if name == "few" {
			n = 5
		}
		e := rng.NormFloat64()
		for i := range n {
			x := math.Exp(0.02 * rng.NormFloat64())
			switch name {
			case "drift":
				x *= 1 + 0.1*float64(i)/float64(n-1)
			case "warmup":
				if i < 3 {
					x *= 1.4
				}
			case "dependent":
				x = math.Exp(0.02 * e)
				e = 0.9*e + math.Sqrt(1-0.81)*rng.NormFloat64()
			case "bimodal":
				x = math.Exp(0.01 * rng.NormFloat64())
				if rng.IntN(2) == 1 {
					x *= 1.1
				}
			}
			times[c] = append(times[c], x)
		}
	}
	var trials []experiment.Trial
	seq := 0
	add := func(cell int, secs float64, warmup, ok bool) {
		trials = append(trials, experiment.Trial{Step: experiment.Step{Seq: seq, Cell: cell, Warmup: warmup},
			WallNS: int64(math.Round(secs * 1e9)), OK: ok})
		seq++
	}
	for c := range cells {
		add(c, 99, true, true)
		add(c, 50, false, false)
	}
	for i := range 30 {
		for c := range cells {
			if i < len(times[c]) {
				add(c, times[c][i], false, true)
			}
		}
	}
	for i, j := 0, len(trials)-1; i < j; i, j = i+1, j-1 {
		trials[i], trials[j] = trials[j], trials[i]
	}
	return run, cells, trials
}

func TestCellDiagnostics(t *testing.T) {
	run, cells, trials := faultyRun()
	rep := Build(run, cells, trials, DefaultThresholds)
	want := map[string]error{"clean": nil, "drift": ErrDrift, "warmup": ErrWarmup, "dependent": ErrDependent, "bimodal": ErrBimodal, "few": nil}
	for i, name := range []string{"clean", "drift", "warmup", "dependent", "bimodal", "few"} {
		c := rep.Cells[i]
		for _, s := range diagnosticSentinels {
			if got := hasWarning(c.Warnings, s); got != (s == want[name]) {
				t.Errorf("%s cell: %v warning %v, want %v; warnings %q, diagnostics %+v", name, s, got, s == want[name], messages(c.Warnings), c.Diagnostics)
			}
		}
	}
	if d := rep.Cells[5].Diagnostics; !strings.HasPrefix(d.Skipped, "not enough trials") || d.N != 5 {
		t.Errorf("few cell: diagnostics %+v, want skipped for not enough trials, n 5", d)
	}
	if d := rep.Cells[2].Diagnostics; d.N != 30 || d.Warmup.Suggested != 3 {
		t.Errorf("warmup cell: n %d, suggested %d; want 30 (failed and warmup trials left out) and 3", d.N, d.Warmup.Suggested)
	}
	if w := joinWarnings(rep.Cells[2].Warnings); !strings.Contains(w, "(warmup: 4)") {
		t.Errorf("warmup cell's warning %q does not suggest warmup: 4 (1 + 3)", w)
	}
	if hasWarning(rep.Warnings, ErrDrift) {
		t.Errorf("run drift fired on a run with one drifting cell of six: %q, %+v", messages(rep.Warnings), rep.Drift)
	}
}

// TestRunDriftWarning drifts a run of 20 cells of 8 trials 10% with run
// order, under 5% noise: each cell alone is too noisy to tell (the drift
// test has 10% power there), but the run is not.
func TestRunDriftWarning(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	run := experiment.Run{ID: 1, Status: experiment.StatusDone, Kernel: "synthetic", Repeats: 8}
	var cells []experiment.Cell
	var trials []experiment.Trial
	for c := range 20 {
		cells = append(cells, experiment.Cell{Index: c, Range: experiment.Range{Start: uint64(c), Count: 1}, Schedule: experiment.Chunked, Workers: 1 + c})
	}
	const n = 8 * 20
	for seq := range n {
		x := float64(1+seq%20) * math.Exp(0.05*rng.NormFloat64()) * (1 + 0.1*float64(seq)/n)
		trials = append(trials, experiment.Trial{Step: experiment.Step{Seq: seq, Cell: seq % 20}, WallNS: int64(x * 1e9), OK: true})
	}
	rep := Build(run, cells, trials, DefaultThresholds)
	if !hasWarning(rep.Warnings, ErrDrift) || rep.Drift.N != n || rep.Drift.Rho <= 0 {
		t.Errorf("run drift %+v, warnings %q; want a drift warning over %d trials", rep.Drift, messages(rep.Warnings), n)
	}
	if c := countIf(rep.Cells, func(c CellStats) bool { return c.Diagnostics.Drift.Fired }); c > 2 {
		t.Errorf("%d of 20 cells fired drift alone; the test is meant to need the whole run", c)
	}
	th := DefaultThresholds
	th.DiagnoseAlpha = 0
	if rep := Build(run, cells, trials, th); hasWarning(rep.Warnings, ErrDrift) || rep.Drift.Skipped != "off" || rep.Cells[0].Diagnostics.Skipped != "off" {
		t.Errorf("DiagnoseAlpha 0: drift %+v, cell %+v, want both off", rep.Drift, rep.Cells[0].Diagnostics)
	}
}

// TestDiagnosticsJSON checks the diagnostics as exp report --format json
// writes them.
func TestDiagnosticsJSON(t *testing.T) {
	run, cells, trials := faultyRun()
	var b bytes.Buffer
	if err := WriteJSON(&b, Build(run, cells, trials, DefaultThresholds)); err != nil {
		t.Fatal(err)
	}
	type trend struct {
		Rho   *float64 `json:"rho"`
		P     *float64 `json:"p"`
		Fired bool     `json:"fired"`
	}
	var doc struct {
		Cells []struct {
			Diagnostics struct {
				N       int     `json:"n"`
				Skipped *string `json:"skipped"`
				Drift   *trend  `json:"drift"`
				Warmup  *struct {
					Suggested int  `json:"suggested"`
					Fired     bool `json:"fired"`
				} `json:"warmup"`
			} `json:"diagnostics"`
		} `json:"cells"`
		Drift struct {
			trend
			N int `json:"n"`
		} `json:"drift"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	clean, drift, warmup, few := doc.Cells[0].Diagnostics, doc.Cells[1].Diagnostics, doc.Cells[2].Diagnostics, doc.Cells[5].Diagnostics
	if clean.Skipped != nil || clean.Drift == nil || clean.Drift.Fired || clean.Drift.P == nil {
		t.Errorf("clean cell: %+v, want tests that did not fire", clean)
	}
	if drift.Drift == nil || !drift.Drift.Fired || *drift.Drift.Rho <= 0 {
		t.Errorf("drift cell: %+v, want drift fired with rho > 0", drift.Drift)
	}
	if warmup.Warmup == nil || !warmup.Warmup.Fired || warmup.Warmup.Suggested != 3 {
		t.Errorf("warmup cell: %+v, want fired, 3 suggested", warmup.Warmup)
	}
	if few.Skipped == nil || few.Drift != nil || few.N != 5 {
		t.Errorf("few cell: %+v, want skipped with null tests", few)
	}
	if doc.Drift.N != 5*30+5 || doc.Drift.P == nil {
		t.Errorf("run drift: %+v, want n %d and a p-value", doc.Drift, 5*30+5)
	}
}

// TestDiagnosticWarningsWrap checks that every diagnostic warning wraps its
// sentinel and nothing else.
func TestDiagnosticWarningsWrap(t *testing.T) {
	run, cells, trials := faultyRun()
	rep := Build(run, cells, trials, DefaultThresholds)
	for _, c := range rep.Cells {
		for _, w := range c.Warnings {
			n := 0
			for _, s := range diagnosticSentinels {
				if errors.Is(w, s) {
					n++
				}
			}
			if n > 1 {
				t.Errorf("warning %q wraps %d sentinels", w, n)
			}
		}
	}
}

// TestSkewWarningDefersToOutliers: a skewed cell gets a skew warning only
// when no outlier is flagged; with outliers, their warning names the tail.
func TestSkewWarningDefersToOutliers(t *testing.T) {
	d := Diagnostics{N: 20, Alpha: 0.01}
	d.Shape = diagnose.ShapeTest{N: 20, Skewness: 3, SkewnessSE: 0.5, Skewed: true}
	for outliers, want := range []int{1, 0, 0} {
		got := 0
		for _, w := range diagnosticWarnings(d, 1, outliers) {
			if errors.Is(w, ErrSkewed) {
				got++
			}
		}
		if got != want {
			t.Errorf("with %d outliers: %d skew warnings, want %d", outliers, got, want)
		}
	}
}

// TestDiagnosticsWithinProcesses: the trials of 6 processes, each a few
// percent off the others throughout and run one process after another,
// fire no diagnostic: the offsets are variation between processes, which
// the report measures as such, not drift, dependence or two modes.
func TestDiagnosticsWithinProcesses(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 3))
	run := experiment.Run{ID: 1, Status: experiment.StatusDone, Kernel: "synthetic", Scaling: experiment.ScalingStrong, Seed: 5,
		Repeats: 48, ProcessInvocations: 6}
	cells := []experiment.Cell{{Range: experiment.Range{Count: 1000}, Schedule: experiment.Static, Workers: 1}}
	var trials []experiment.Trial
	for p, off := range []float64{0.05, -0.04, 0.08, -0.06, 0.02, -0.05} {
		for range 8 {
			x := 0.1 * (1 + off) * (1 + 0.002*rng.NormFloat64())
			trials = append(trials, experiment.Trial{Step: experiment.Step{Seq: len(trials), Invocation: p}, WallNS: int64(x * 1e9), OK: true})
		}
	}
	rep := Build(run, cells, trials, DefaultThresholds)
	c := rep.Cells[0]
	for _, w := range c.Warnings {
		for _, s := range diagnosticSentinels {
			if errors.Is(w, s) {
				t.Errorf("diagnostic on a cell whose processes differ: %v", w)
			}
		}
	}
	if rep.Drift.Fired {
		t.Errorf("run drift fired on process offsets: %+v", rep.Drift)
	}
	if !(c.BetweenSD > 0.003) {
		t.Errorf("between-process SD %g, want the offsets measured", c.BetweenSD)
	}
}

// TestRunDriftThinned: a run of more trials than MaxDriftTrials is tested
// on a systematic sample of at most that many, and a trend still shows.
func TestRunDriftThinned(t *testing.T) {
	defer func(m int) { MaxDriftTrials = m }(MaxDriftTrials)
	MaxDriftTrials = 100
	run := experiment.Run{ID: 1, Status: experiment.StatusDone, Kernel: "synthetic", Scaling: experiment.ScalingStrong, Repeats: 250}
	cells := []experiment.Cell{{Range: experiment.Range{Count: 1000}, Schedule: experiment.Static, Workers: 1},
		{Index: 1, Range: experiment.Range{Count: 1000}, Schedule: experiment.Static, Workers: 2}}
	var trials []experiment.Trial
	for i := range 500 {
		x := 0.1 * (1 + 0.05*float64(i)/500) // 5% slower by the end of the run
		trials = append(trials, experiment.Trial{Step: experiment.Step{Seq: i, Cell: i % 2, Rep: i / 2}, WallNS: int64(x * 1e9), OK: true})
	}
	rep := Build(run, cells, trials, DefaultThresholds)
	if d := rep.Drift; d.N > 100 || d.N < 90 || !d.Fired {
		t.Errorf("run drift %+v: want a test on at most 100 of 500 trials that fires", d)
	}
}
