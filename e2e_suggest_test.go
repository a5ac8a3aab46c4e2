package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// suggestBase is a synthetic sleep experiment with B = 0.2 (20 ms serial,
// 80 ms parallel, as checkYAML), without its workers and repeats: sleep
// keeps scaling past the CPU count, so a plan for 8 workers runs here.
// Trials of 30-100 ms keep a stall under -race from blurring B.
const suggestBase = `name: plan
seed: 5
warmup: 0
kernel: synthetic
synthetic: {serial: 20ms, parallel: 80ms, mode: sleep}
`

// suggestFirst measures few worker counts: B's interval rests on 1 and 2
// workers only. Its 6 repeats are already the fewest exp suggest plans
// (report.DefaultThresholds.MinN), so a narrower interval in the next run
// can only come from the worker counts it suggests.
const suggestFirst = suggestBase + "workers: [1, 2]\nrepeats: 6\n"

// bWidth is the width of B's interval of run ref, from exp report.
func bWidth(t *testing.T, dir, ref string) float64 {
	t.Helper()
	r := exp(t, dir, nil, "report", "--run", ref, "--format", "json")
	var doc struct {
		Fits []struct {
			B      *float64 `json:"b"`
			BCILow *float64 `json:"b_ci_low"`
			BCIHi  *float64 `json:"b_ci_high"`
		} `json:"fits"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 {
		t.Fatalf("report %s: exit %d, %v\n%s", ref, r.code, err, r.stderr)
	}
	if len(doc.Fits) != 1 || doc.Fits[0].BCILow == nil || doc.Fits[0].BCIHi == nil {
		t.Fatalf("report %s: no interval for B\n%s", ref, r.stdout)
	}
	f := doc.Fits[0]
	if *f.B < 0.1 || *f.B > 0.3 {
		t.Fatalf("report %s: B = %g, want about 0.2", ref, *f.B)
	}
	return *f.BCIHi - *f.BCILow
}

// TestSuggestNarrowsB follows exp suggest's plan and checks that it does
// what it says: the next run's interval of B is narrower than the first's.
func TestSuggestNarrowsB(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "first.yaml", suggestFirst)
	if r := exp(t, dir, nil, "run", "first.yaml", "-q"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	// ±5%: a stall under -race that spreads a cell's trials must not
	// plan hundreds of repeats; the test is about the worker counts.
	r := exp(t, dir, nil, "suggest", "--max-workers", "8", "--precision", "5", "--format", "yaml")
	if r.code != 0 || !strings.Contains(r.stdout, "\nworkers: [") || !strings.Contains(r.stdout, "\nrepeats: ") {
		t.Fatalf("suggest: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	writeFile(t, dir, "next.yaml", suggestBase+r.stdout)
	if r := exp(t, dir, nil, "run", "next.yaml", "-q"); r.code != 0 {
		t.Fatalf("run the plan: exit %d\n%s\n%s", r.code, r.stderr, r.stdout)
	}
	first, next := bWidth(t, dir, "1"), bWidth(t, dir, "2")
	// The plan predicts an interval 2-3 times narrower; following the
	// first run's workers again would give about the same width.
	if !(next < 0.75*first) {
		t.Errorf("B's interval: %.4g wide after following the plan, %.4g before: not narrower\nplan:\n%s", next, first, r.stdout)
	}
	t.Logf("B's interval %.4g -> %.4g wide with\n%s", first, next, r.stdout)
}

// estimate is an interval of exp suggest --format json.
type estimate struct {
	Low  *float64 `json:"ci_low"`
	High *float64 `json:"ci_high"`
}

func TestSuggestOutput(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "first.yaml", suggestFirst)
	if r := exp(t, dir, nil, "run", "first.yaml", "-q"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	t.Run("JSON", func(t *testing.T) {
		r := exp(t, dir, nil, "suggest", "1", "--max-workers", "8", "--format", "json")
		var doc struct {
			MaxWorkers int    `json:"max_workers"`
			Workers    []int  `json:"workers"`
			Repeats    int    `json:"repeats"`
			YAML       string `json:"yaml"`
			Groups     []struct {
				B       estimate `json:"b"`
				BNext   estimate `json:"b_next"`
				Ranking []struct {
					Workers int `json:"workers"`
				} `json:"ranking"`
			} `json:"groups"`
			Cells []struct {
				Workers int  `json:"workers"`
				Precise bool `json:"precise"`
			} `json:"cells"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 {
			t.Fatalf("exit %d, %v\n%s\n%s", r.code, err, r.stdout, r.stderr)
		}
		if doc.MaxWorkers != 8 || doc.Workers[0] != 1 || !slices.Contains(doc.Workers, 8) || len(doc.Workers) != 4 || doc.Repeats < 6 {
			t.Errorf("plan %v x %d, want 4 counts from 1, with 8, and at least 6 repeats", doc.Workers, doc.Repeats)
		}
		if len(doc.Groups) != 1 || len(doc.Groups[0].Ranking) != 8 || doc.Groups[0].Ranking[0].Workers != 8 {
			t.Fatalf("groups %+v, want one whose most informative extra count is 8", doc.Groups)
		}
		g := doc.Groups[0]
		if g.B.Low == nil || g.BNext.Low == nil || !(*g.BNext.High-*g.BNext.Low < *g.B.High-*g.B.Low) {
			t.Errorf("B now %+v, predicted %+v: not narrower", g.B, g.BNext)
		}
		if len(doc.Cells) != 2 || !strings.HasPrefix(doc.YAML, "workers: [1, ") {
			t.Errorf("cells %+v, yaml %q", doc.Cells, doc.YAML)
		}
	})
	t.Run("Text", func(t *testing.T) {
		r := exp(t, dir, nil, "suggest", "--max-workers", "8", "--precision", "0.001")
		for _, want := range []string{"run 1 (plan): where to measure next", "times narrower", "at 8 workers", "trials", "\nworkers: [1, "} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("no %q in\n%s", want, r.stdout)
			}
		}
	})
	t.Run("BadFlags", func(t *testing.T) {
		for _, args := range [][]string{
			{"suggest", "--max-workers", "0"},
			{"suggest", "--max-workers", "1"},
			{"suggest", "--max-workers", "x"},
			{"suggest", "--precision", "0"},
			{"suggest", "--precision", "-3"},
			{"suggest", "--format", "csv"},
			{"suggest", "--confidence", "2"},
			{"suggest", "--workers", "8"},
			{"suggest", "1", "2"},
			{"suggest", "9"},
		} {
			r := exp(t, dir, nil, args...)
			if r.code != 2 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("%v: exit %d\n%s\n%s", args, r.code, r.stdout, r.stderr)
			}
		}
		r := exp(t, dir, nil, "suggest", "--max-workers", "0")
		if want := "--max-workers must be from 2 to 4096, got 0"; !strings.Contains(r.stderr, want) {
			t.Errorf("stderr %q, want %q", r.stderr, want)
		}
	})
}
