package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/host"
)

// suggestReport is a synthetic run with B = 0.2 and T1 = 100 ms on the
// given workers, each cell's trials spread by about rel (a fraction) about
// T(p) = T1 (B + (1-B)/p).
func suggestReport(workers []int, repeats int, rel float64, mutate func(*experiment.Run)) *Report {
	return suggestReportB(workers, repeats, rel, 0.2, mutate)
}

// suggestReportB is suggestReport with serial fraction b.
func suggestReportB(workers []int, repeats int, rel, b float64, mutate func(*experiment.Run)) *Report {
	run := experiment.Run{ID: 3, Name: "plan", Status: experiment.StatusDone, Kernel: "synthetic", Scaling: experiment.ScalingStrong,
		Repeats: repeats, Host: host.Host{NumCPU: 2, GOMAXPROCS: 2}}
	if mutate != nil {
		mutate(&run)
	}
	r := experiment.Range{Start: 0, Count: 80_000}
	var cells []experiment.Cell
	var trials []experiment.Trial
	for c, w := range workers {
		cells = append(cells, experiment.Cell{Index: c, Range: r, Schedule: experiment.Static, Workers: w})
		t := 0.1 * (b + (1-b)/float64(w))
		for i := range repeats {
			// A symmetric spread of standard deviation about rel.
			z := []float64{-1.5, -0.5, 0, 0.5, 1.5, -1, 1}[i%7]
			trials = append(trials, experiment.Trial{Step: experiment.Step{Seq: len(trials), Cell: c},
				WallNS: int64(math.Round(t * (1 + rel*z) * 1e9)), OK: true})
		}
	}
	return Build(run, cells, trials, DefaultThresholds)
}

func TestSuggest(t *testing.T) {
	t.Run("NarrowsB", func(t *testing.T) {
		s, err := Suggest(suggestReport([]int{1, 2}, 6, 0.002, nil), 8, DefaultPrecision)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Workers) != 4 || s.Workers[0] != 1 || !slices.Contains(s.Workers, 8) || s.Repeats != 6 {
			t.Errorf("plan %v x %d, want 4 counts with 1 and 8, x 6", s.Workers, s.Repeats)
		}
		g := s.Groups[0]
		if !(g.BNext.High-g.BNext.Low < (g.B.High-g.B.Low)/2) || g.BNext.Value != g.B.Value {
			t.Errorf("B now %+v, predicted %+v: want at least twice narrower", g.B, g.BNext)
		}
		if len(g.Ranking) != 8 || g.Ranking[0].Workers != 8 || !math.IsNaN(g.Sigma.Value) || !(g.SigmaNext.High > g.SigmaNext.Low) {
			t.Errorf("ranking %v, σ %+v -> %+v", g.Ranking, g.Sigma, g.SigmaNext)
		}
		if len(s.Cells) != 2 || !s.Cells[0].Precise || !s.Cells[1].Precise || len(s.Notes) != 0 {
			t.Errorf("cells %+v, notes %q", s.Cells, s.Notes)
		}
	})
	t.Run("SameDesignSameInterval", func(t *testing.T) {
		// For the design it was fitted on, the prediction is the fit's
		// own interval: the noise model is the one the fit used.
		s, err := Suggest(suggestReport([]int{1, 2, 3, 4}, 6, 0.002, nil), 4, DefaultPrecision)
		if err != nil {
			t.Fatal(err)
		}
		g := s.Groups[0]
		if !slices.Equal(s.Workers, []int{1, 2, 3, 4}) {
			t.Fatalf("plan %v, want 1-4", s.Workers)
		}
		checkClose(t, "predicted width", g.BNext.High-g.BNext.Low, g.B.High-g.B.Low, 0.02)
	})
	t.Run("NoisyCellsNeedRepeats", func(t *testing.T) {
		s, err := Suggest(suggestReport([]int{1, 2}, 7, 0.05, nil), 4, DefaultPrecision)
		if err != nil {
			t.Fatal(err)
		}
		most := 0
		for _, c := range s.Cells {
			if c.Precise || c.Needed <= 7 {
				t.Errorf("cell %+v: 5%% noise should need more than 7 trials for ±2%%", c)
			}
			most = max(most, c.Needed)
		}
		if s.Repeats != most {
			t.Errorf("repeats %d, want the most any cell needs, %d", s.Repeats, most)
		}
	})
	t.Run("CPUBoundNote", func(t *testing.T) {
		s, err := Suggest(suggestReport([]int{1, 2}, 6, 0.002, func(r *experiment.Run) { r.CPUBound = true }), 8, DefaultPrecision)
		if err != nil || len(s.Notes) != 1 || !strings.Contains(s.Notes[0], "at least 8") {
			t.Errorf("%v, notes %q", err, s.Notes)
		}
	})
	t.Run("ErrWeakScaling", func(t *testing.T) {
		_, err := Suggest(suggestReport([]int{1, 2}, 6, 0.002, func(r *experiment.Run) { r.Scaling = experiment.ScalingWeak }), 8, DefaultPrecision)
		if !errors.Is(err, ErrWeakScaling) {
			t.Errorf("err %v", err)
		}
	})
	t.Run("ErrNoFitToPlan", func(t *testing.T) {
		_, err := Suggest(suggestReport([]int{2}, 6, 0.002, nil), 8, DefaultPrecision)
		if !errors.Is(err, ErrNoFitToPlan) {
			t.Errorf("err %v", err)
		}
	})
}

// TestWriteSuggest checks that each format renders, and that the YAML
// fragment makes a valid experiment file with the planned keys.
func TestWriteSuggest(t *testing.T) {
	s, err := Suggest(suggestReport([]int{1, 2}, 6, 0.002, nil), 8, DefaultPrecision)
	if err != nil {
		t.Fatal(err)
	}
	var y bytes.Buffer
	if err := WriteSuggest(&y, FormatYAML, s); err != nil {
		t.Fatal(err)
	}
	base := "name: plan\nkernel: synthetic\nsynthetic: {serial: 20ms, parallel: 80ms, mode: sleep}\n"
	c, err := experiment.Parse("next.yaml", []byte(base+y.String()))
	if err != nil {
		t.Fatalf("the fragment does not make an experiment file: %v\n%s", err, y.String())
	}
	if !slices.Equal(c.Workers, s.Workers) || c.Repeats != s.Repeats {
		t.Errorf("parsed workers %v x %d, want %v x %d", c.Workers, c.Repeats, s.Workers, s.Repeats)
	}
	var text, js bytes.Buffer
	if err := WriteSuggest(&text, FormatText, s); err != nil || !strings.HasSuffix(text.String(), s.Fragment()) || !strings.Contains(text.String(), "times narrower") {
		t.Errorf("%v\n%s", err, text.String())
	}
	var doc map[string]any
	if err := WriteSuggest(&js, FormatJSON, s); err != nil || json.Unmarshal(js.Bytes(), &doc) != nil || doc["yaml"] != s.Fragment() {
		t.Errorf("%v\n%s", err, js.String())
	}
	if err := WriteSuggest(&js, FormatCSV, s); err == nil {
		t.Error("csv: no error")
	}
}

// TestSuggestRefuses: a fit with B < 0, whose T(p) reaches 0 at a finite
// p, plans nothing; a cell without an interval of its median is listed and
// never precise.
func TestSuggestRefuses(t *testing.T) {
	_, err := Suggest(suggestReportB([]int{1, 2, 4}, 6, 0.002, -0.05, nil), 64, DefaultPrecision)
	if !errors.Is(err, ErrNoFitToPlan) || !strings.Contains(err.Error(), "< 0") {
		t.Errorf("B < 0: %v, want ErrNoFitToPlan naming B < 0", err)
	}
	s, err := Suggest(suggestReport([]int{1, 2}, 4, 0.002, nil), 8, DefaultPrecision)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range s.Cells {
		if c.Precise || !math.IsNaN(c.HalfWidth) {
			t.Errorf("a cell of %d trials (no interval of its median): %+v, want not precise", c.N, c)
		}
	}
	var b bytes.Buffer
	if err := WriteSuggest(&b, FormatText, s); err != nil || !strings.Contains(b.String(), "no interval with 4 trials: too few trials") {
		t.Errorf("text: %v\n%s", err, b.String())
	}
}

// TestSuggestSlowFew: a cell whose bulk is steady but a few trials are
// slow is not precise, and more trials alone are not what it needs.
func TestSuggestSlowFew(t *testing.T) {
	rep := suggestReport([]int{1, 2}, 20, 0.002, nil)
	c := &rep.Cells[1]
	c.Precision, c.N = 0.05, 20 // as if a few slow trials widened its interval
	s, err := Suggest(rep, 8, DefaultPrecision)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteSuggest(&b, FormatText, s); err != nil || !strings.Contains(b.String(), "a few slow ones widen the interval") {
		t.Errorf("text: %v\n%s", err, b.String())
	}
}

// TestSuggestProcesses: when the processes differ more than the trials
// within them, the plan says that more invocations, not repeats, help.
func TestSuggestProcesses(t *testing.T) {
	rep := suggestReport([]int{1, 2}, 8, 0.002, nil)
	rep.Cells[0].Invocations, rep.Cells[0].BetweenSD, rep.Cells[0].WithinSD = 4, 0.004, 0.001
	s, err := Suggest(rep, 8, DefaultPrecision)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(s.Notes, func(n string) bool { return strings.Contains(n, "more invocations do") }) {
		t.Errorf("notes %q: want one on the processes", s.Notes)
	}
}
