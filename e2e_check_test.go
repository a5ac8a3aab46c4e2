package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// checkYAML is a synthetic sleep run with a known serial fraction: 20 ms
// serial and 80 ms parallel, so B = 0.2. Trials of 40-100 ms keep a stall
// of a few ms under -race on a loaded machine from blurring B's interval.
const checkYAML = `name: gate
seed: 5
repeats: 6
warmup: 0
kernel: synthetic
synthetic: {serial: 20ms, parallel: 80ms, mode: sleep}
workers: [1, 2, 4]
`

type checkDoc struct {
	Confidence float64 `json:"confidence"`
	Outcome    string  `json:"outcome"`
	Verdicts   []struct {
		Expectation string   `json:"expectation"`
		Value       *float64 `json:"value"`
		CILow       *float64 `json:"ci_low"`
		CIHigh      *float64 `json:"ci_high"`
		Verdict     string   `json:"verdict"`
		Note        string   `json:"note"`
		Repeats     *int     `json:"repeats"`
	} `json:"verdicts"`
}

func TestCheckEndToEnd(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "g.yaml", checkYAML)
	if r := exp(t, dir, nil, "run", "g.yaml", "-q"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	check := func(wantCode int, args ...string) (result, checkDoc) {
		t.Helper()
		r := exp(t, dir, nil, append([]string{"check", "--format", "json"}, args...)...)
		var doc checkDoc
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("check %v: exit %d, %v\n%s\n%s", args, r.code, err, r.stdout, r.stderr)
		}
		if r.code != wantCode {
			t.Fatalf("check %v: exit %d, want %d\n%s\n%s", args, r.code, wantCode, r.stdout, r.stderr)
		}
		return r, doc
	}
	_, pass := check(0, "--expect", "b <= 0.5", "--expect", "efficiency@2 >= 0.5")
	if pass.Outcome != "pass" || len(pass.Verdicts) != 2 || pass.Confidence != 0.95 {
		t.Fatalf("%+v", pass)
	}
	b := pass.Verdicts[0]
	if b.Value == nil || *b.Value < 0.1 || *b.Value > 0.3 || *b.CILow > *b.Value || *b.CIHigh < *b.Value {
		t.Fatalf("B = %v [%v, %v], want about 0.2", b.Value, b.CILow, b.CIHigh)
	}
	est := strconv.FormatFloat(*b.Value, 'g', -1, 64)
	mid := strconv.FormatFloat((*b.Value+*b.CIHigh)/2, 'g', -1, 64)

	t.Run("Fail", func(t *testing.T) {
		r, doc := check(4, "--expect", "b <= 0.05", "--expect", "b <= "+est)
		if doc.Outcome != "fail" || doc.Verdicts[0].Verdict != "fail" || !strings.Contains(r.stderr, "check failed") {
			t.Errorf("%+v\n%s", doc, r.stderr)
		}
	})
	t.Run("InconclusiveOnTheEstimate", func(t *testing.T) {
		_, doc := check(5, "--expect", "b <= "+est)
		v := doc.Verdicts[0]
		if v.Verdict != "inconclusive" || v.Repeats != nil || !strings.Contains(v.Note, "no number of repeats") {
			t.Errorf("%+v", v)
		}
	})
	t.Run("InconclusiveInsideTheCI", func(t *testing.T) {
		_, doc := check(5, "--expect", "b >= "+mid)
		v := doc.Verdicts[0]
		// d = h/2: about 4 n repeats.
		if v.Verdict != "inconclusive" || v.Repeats == nil || *v.Repeats < 20 || *v.Repeats > 30 || !strings.Contains(v.Note, "repeats per cell (now 6) would likely fail") {
			t.Errorf("%+v", v)
		}
	})
	t.Run("MissingCell", func(t *testing.T) {
		_, doc := check(5, "--expect", "speedup@8 >= 3")
		if v := doc.Verdicts[0]; v.Verdict != "inconclusive" || !strings.Contains(v.Note, "no cell with 8 workers") {
			t.Errorf("%+v", v)
		}
	})
	t.Run("Table", func(t *testing.T) {
		r := exp(t, dir, nil, "check", "1", "--expect", "b <= 0.5", "--confidence", "0.9")
		if r.code != 0 || !strings.Contains(r.stdout, "90% CI") || !strings.Contains(r.stdout, "run 1: pass") {
			t.Errorf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("BadExpression", func(t *testing.T) {
		for _, args := range [][]string{
			{"check", "--expect", "b <= 0.05", "--expect", "speedup >= 3"},
			{"check"},
			{"check", "--expect", "b <= 1", "--format", "csv"},
			{"check", "1", "2", "--expect", "b <= 1"},
		} {
			r := exp(t, dir, nil, args...)
			if r.code != 2 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("%v: exit %d\n%s\n%s", args, r.code, r.stdout, r.stderr)
			}
		}
		r := exp(t, dir, nil, "check", "--expect", "speedup >= 3")
		if want := `expectation "speedup >= 3" at byte 9: speedup needs a worker count`; !strings.Contains(r.stderr, want) {
			t.Errorf("stderr %q, want %q", r.stderr, want)
		}
	})
}
