package report

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/scaling"
)

// checkReport is a report with known intervals: one group whose Amdahl
// fit has B = 0.1 [0.08, 0.12] over 1- and 2-worker cells of 10 trials,
// and the 2-worker cell's speedup 1.8 [1.7, 1.9].
func checkReport() *Report {
	r := experiment.Range{Start: 0, Count: 1000}
	cell := func(w int, s, lo, hi float64) CellStats {
		return CellStats{Cell: experiment.Cell{Range: r, Schedule: experiment.Chunked, Workers: w}, Processors: w,
			Summary: Summary{N: 10}, Speedup: s, SpeedupLow: lo, SpeedupHigh: hi, Efficiency: s / float64(w), InFit: true}
	}
	fit := Fit{Range: r, Schedule: experiment.Chunked, cells: []int{0, 1},
		Amdahl: scaling.AmdahlFit{Amdahl: scaling.Amdahl{B: 0.1}, BLow: 0.08, BHigh: 0.12}}
	return &Report{Run: experiment.Run{ID: 1, Kernel: "primes"}, Thresholds: DefaultThresholds,
		Cells: []CellStats{cell(1, 1, 1, 1), cell(2, 1.8, 1.7, 1.9)}, Fits: []Fit{fit}}
}

func TestJudge(t *testing.T) {
	rep := checkReport()
	judge := func(expr string) CheckVerdict {
		t.Helper()
		e, err := experiment.ParseExpectation(expr)
		if err != nil {
			t.Fatal(err)
		}
		vs := Judge(rep, e)
		if len(vs) != 1 {
			t.Fatalf("%s: %d verdicts, want 1", expr, len(vs))
		}
		return vs[0]
	}
	for _, tc := range []struct {
		expr    string
		want    Outcome
		repeats int
		note    string
	}{
		{"b <= 0.2", Pass, 0, ""},
		{"b < 0.12", Inconclusive, 10, "about 10 repeats per cell (now 10) would likely pass"}, // h 0.02, d 0.02
		{"b <= 0.12", Pass, 0, ""},
		{"b <= 0.05", Fail, 0, ""},
		{"b >= 0.09", Inconclusive, 40, "would likely pass"}, // h = 0.02, d = 0.01: 10 x 4
		{"b <= 0.09", Inconclusive, 40, "would likely fail"},
		{"b <= 0.1", Inconclusive, 0, "no number of repeats is likely to decide it"},
		{"speedup@2 >= 1.5", Pass, 0, ""},
		{"speedup@2 > 1.9", Fail, 0, ""},
		{"speedup@2 >= 1.75", Inconclusive, 40, "would likely pass"},   // lower half 0.1, d 0.05: 10 x 4
		{"efficiency@2 > 0.95", Fail, 0, ""},                           // [0.85, 0.95]: no point above 0.95
		{"efficiency@2 >= 0.95", Inconclusive, 0, "would likely fail"}, // only the end meets it
		{"efficiency@2 >= 0.8", Pass, 0, ""},
		{"speedup@4 >= 3", Inconclusive, 0, "no cell with 4 workers (the run's workers: 1, 2)"},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			v := judge(tc.expr)
			if v.Outcome != tc.want || !strings.Contains(v.Note, tc.note) {
				t.Errorf("%s: %s, %q; want %s, %q", tc.expr, v.Outcome, v.Note, tc.want, tc.note)
			}
			if tc.want == Inconclusive && tc.repeats > 0 && v.Repeats != tc.repeats {
				t.Errorf("%s: %d repeats, want %d", tc.expr, v.Repeats, tc.repeats)
			}
		})
	}
	t.Run("NoFit", func(t *testing.T) {
		rep.Fits[0].AmdahlErr = scaling.ErrTooFewPoints
		defer func() { rep.Fits[0].AmdahlErr = nil }()
		v := judge("b <= 0.5")
		if v.Outcome != Inconclusive || !strings.Contains(v.Note, "no Amdahl fit") || !math.IsNaN(v.Value) {
			t.Errorf("%+v", v)
		}
	})
	t.Run("NoCI", func(t *testing.T) {
		rep.Cells[1].SpeedupLow, rep.Cells[1].SpeedupHigh = math.NaN(), math.NaN()
		defer func() { rep.Cells[1].SpeedupLow, rep.Cells[1].SpeedupHigh = 1.7, 1.9 }()
		v := judge("speedup@2 >= 1.5")
		if v.Outcome != Inconclusive || !strings.HasPrefix(v.Note, "no confidence interval") {
			t.Errorf("%+v", v)
		}
	})
}

func TestWorst(t *testing.T) {
	vs := func(os ...Outcome) []CheckVerdict {
		out := make([]CheckVerdict, len(os))
		for i, o := range os {
			out[i].Outcome = o
		}
		return out
	}
	for _, tc := range []struct {
		in   []CheckVerdict
		want Outcome
	}{{nil, Pass}, {vs(Pass, Pass), Pass}, {vs(Pass, Inconclusive), Inconclusive}, {vs(Inconclusive, Fail, Pass), Fail}} {
		if got := Worst(tc.in); got != tc.want {
			t.Errorf("Worst(%v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestWriteCheck(t *testing.T) {
	rep := checkReport()
	var vs []CheckVerdict
	for _, s := range []string{"b <= 0.2", "speedup@8 >= 3"} {
		e, _ := experiment.ParseExpectation(s)
		vs = append(vs, Judge(rep, e)...)
	}
	var b bytes.Buffer
	if err := WriteCheck(&b, FormatTable, rep, vs); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"EXPECTATION", "95% CI", "b <= 0.2", "[0.08, 0.12]", "pass", "no cell with 8 workers", "run 1: inconclusive"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	if err := WriteCheck(&b, FormatJSON, rep, vs); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Outcome  string `json:"outcome"`
		Verdicts []struct {
			Expectation string   `json:"expectation"`
			Workers     *int     `json:"workers"`
			Value       *float64 `json:"value"`
			CILow       *float64 `json:"ci_low"`
			RangeIndex  *int     `json:"range_index"`
			Verdict     string   `json:"verdict"`
		} `json:"verdicts"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Outcome != "inconclusive" || len(doc.Verdicts) != 2 {
		t.Fatalf("%s", b.String())
	}
	v0, v1 := doc.Verdicts[0], doc.Verdicts[1]
	if v0.Verdict != "pass" || v0.Workers != nil || *v0.Value != 0.1 || *v0.CILow != 0.08 || *v0.RangeIndex != 0 {
		t.Errorf("b verdict: %+v", v0)
	}
	if v1.Verdict != "inconclusive" || *v1.Workers != 8 || v1.Value != nil || v1.RangeIndex != nil {
		t.Errorf("speedup verdict: %+v", v1)
	}
}
