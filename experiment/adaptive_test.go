package experiment

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestParseRepeatsMapping(t *testing.T) {
	t.Parallel()
	check := func(in string, wantRepeats int, want *Adaptive) {
		t.Helper()
		c, err := Parse("exp.yaml", []byte(minimal+in))
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if c.Repeats != wantRepeats || fmt.Sprint(c.Adaptive) != fmt.Sprint(want) {
			t.Errorf("Parse(%q): Repeats %d, Adaptive %v; want %d, %v", in, c.Repeats, c.Adaptive, wantRepeats, want)
		}
	}
	check("", DefaultRepeats, nil)
	check("repeats: 7\n", 7, nil)
	check("repeats: {min: 5, max: 50, precision: 2%}\n", 50, &Adaptive{Min: 5, Max: 50, Precision: 0.02})
	check("repeats:\n  precision: 0.5%\n  max: 6\n  min: 2\n", 6, &Adaptive{Min: 2, Max: 6, Precision: 0.005})
	check("repeats: {min: 3, max: 3000, precision: 99.9%}\n", 3000, &Adaptive{Min: 3, Max: 3000, Precision: 0.999})
	for f, want := range map[float64]string{0.02: "2%", 0.005: "0.5%", 1e-6: "0.0001%", 0.999: "99.9%", 0.0123456789: "1.23457%"} {
		if got := Percent(f); got != want {
			t.Errorf("Percent(%g) = %q, want %q", f, got, want)
		}
	}
	if got := (Adaptive{Min: 5, Max: 50, Precision: 0.02}).String(); got != "{min: 5, max: 50, precision: 2%}" {
		t.Errorf("String() = %q", got)
	}
}

func TestParseRepeatsErrors(t *testing.T) {
	t.Parallel()
	const allowedPct = "must be a percentage above 0% and below 100% such as 2% or 0.5%"
	tests := []struct {
		name, in, want string
	}{
		{"ErrUnknownKey", "repeats: {min: 5, max: 50, precision: 2%, level: 99%}\n",
			"exp.yaml:4:43: repeats.level: unknown field (allowed: min, max, precision)"},
		{"ErrMissingPrecision", "repeats: {min: 5, max: 50}\n",
			"exp.yaml:4:10: repeats.precision: is required (repeats is an integer, or {min: N, max: N, precision: P%} such as {min: 5, max: 50, precision: 2%})"},
		{"ErrMissingMin", "repeats:\n  max: 50\n  precision: 2%\n",
			"exp.yaml:5:6: repeats.min: is required (repeats is an integer, or {min: N, max: N, precision: P%} such as {min: 5, max: 50, precision: 2%})"},
		{"ErrMinOne", "repeats: {min: 1, max: 50, precision: 2%}\n",
			"exp.yaml:4:16: repeats.min: 1 is out of range (must be an integer from 2 to 1048576)"},
		{"ErrMinFloat", "repeats: {min: 2.5, max: 50, precision: 2%}\n",
			`exp.yaml:4:16: repeats.min: got a float "2.5" (must be an integer from 2 to 1048576)`},
		{"ErrMaxBelowMin", "repeats: {min: 10, max: 8, precision: 2%}\n",
			"exp.yaml:4:25: repeats.max: 8 is below min 10 (must be an integer from 10 to 1048576)"},
		{"ErrMaxBelowSix", "repeats: {min: 2, max: 5, precision: 2%}\n",
			"exp.yaml:4:24: repeats.max: 5 is below 6, the fewest trials whose median has a 95% interval (must be an integer from 6 to 1048576)"},
		{"ErrMaxTooMany", "repeats: {min: 2, max: 1048577, precision: 2%}\n",
			"exp.yaml:4:24: repeats.max: 1048577 is out of range (must be an integer from 6 to 1048576)"},
		{"ErrPrecisionFraction", "repeats: {min: 5, max: 50, precision: 0.02}\n",
			"exp.yaml:4:39: repeats.precision: 0.02 has no % sign (" + allowedPct + "; write 0.02% for 0.02 percent)"},
		{"ErrPrecisionInteger", "repeats: {min: 5, max: 50, precision: 2}\n",
			"exp.yaml:4:39: repeats.precision: 2 has no % sign (" + allowedPct + "; write 2% for 2 percent)"},
		{"ErrPrecisionZero", "repeats: {min: 5, max: 50, precision: 0%}\n",
			"exp.yaml:4:39: repeats.precision: 0% is out of range (" + allowedPct + ")"},
		{"ErrPrecisionHundred", "repeats: {min: 5, max: 50, precision: 100%}\n",
			"exp.yaml:4:39: repeats.precision: 100% is out of range (" + allowedPct + ")"},
		{"ErrPrecisionWord", "repeats: {min: 5, max: 50, precision: tight}\n",
			`exp.yaml:4:39: repeats.precision: cannot read "tight" as a percentage (` + allowedPct + ")"},
		{"ErrPrecisionNegative", "repeats: {min: 5, max: 50, precision: -2%}\n",
			`exp.yaml:4:39: repeats.precision: cannot read "-2%" as a percentage (` + allowedPct + ")"},
		{"ErrPrecisionEmpty", "repeats: {min: 5, max: 50, precision: }\n",
			"exp.yaml:4:38: repeats.precision: has no value (" + allowedPct + ")"},
		{"ErrPrecisionList", "repeats: {min: 5, max: 50, precision: [2%]}\n",
			"exp.yaml:4:39: repeats.precision: is a list (" + allowedPct + ")"},
		{"ErrRepeatsList", "repeats: [5, 50]\n",
			"exp.yaml:4:10: repeats: is a list (must be an integer from 1 to 1048576)"},
		{"ErrTooManyTrials", "repeats: {min: 5, max: 1048576, precision: 2%}\nworkers: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n",
			""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := minimal + tt.in
			if tt.name == "ErrTooManyTrials" {
				in = "name: x\nranges: [{start: 1, count: 5}]\n" + tt.in
				tt.want = "exp.yaml:3:10: repeats: the matrix has 10485770 trials, ranges x schedules x workers x (warmup+repeats) (at most 10000000 are allowed)"
			}
			if got := parseErr(t, in).Error(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// adaptivePlan is 2 ranges x 2 schedules x workers [1, 2, 3] (12 cells)
// with warmup 2 and repeats {min: 3, max: max, precision: p}.
func adaptivePlan(seed int64, p float64, max int) *Plan {
	c := &Config{Name: "a", Repeats: max, Adaptive: &Adaptive{Min: 3, Max: max, Precision: p}, Warmup: 2, Kernel: "primes",
		Ranges: []Range{{1, 100}, {1000, 100}}, Schedules: []Schedule{Static, Chunked}, Workers: []int{1, 2, 3}, Chunk: 8}
	return NewPlan(c, seed)
}

func TestNewPlanRounds(t *testing.T) {
	t.Parallel()
	p := adaptivePlan(42, 0.02, 8)
	cells := len(p.Cells)
	if cells != 12 || len(p.Steps) != cells*10 {
		t.Fatalf("%d cells, %d steps; want 12, 120", cells, len(p.Steps))
	}
	for r := range 10 {
		round := p.Steps[r*cells : (r+1)*cells]
		var seen []int
		for i, st := range round {
			if st.Seq != r*cells+i || st.Rep != r || st.Warmup != (r < 2) {
				t.Fatalf("step %+v in round %d: want seq %d, rep %d, warmup %v", st, r, r*cells+i, r, r < 2)
			}
			seen = append(seen, st.Cell)
		}
		slices.Sort(seen)
		if want := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}; !slices.Equal(seen, want) {
			t.Fatalf("round %d holds cells %v, want each cell once", r, seen)
		}
	}
	if q := adaptivePlan(42, 0.02, 8); !slices.Equal(q.Steps, p.Steps) {
		t.Error("the same config and seed gave another order")
	}
	other := adaptivePlan(43, 0.02, 8)
	if slices.Equal(other.Steps, p.Steps) {
		t.Error("another seed gave the same order")
	}
	// Shuffled within rounds: not every round in cell order, nor all alike.
	same, sorted := 0, 0
	for r := 1; r < 10; r++ {
		a, b := p.Steps[(r-1)*cells:r*cells], p.Steps[r*cells:(r+1)*cells]
		if slices.EqualFunc(a, b, func(x, y Step) bool { return x.Cell == y.Cell }) {
			same++
		}
		if slices.IsSortedFunc(b, func(x, y Step) int { return x.Cell - y.Cell }) {
			sorted++
		}
	}
	if same > 0 || sorted > 0 {
		t.Errorf("%d rounds repeat the order before them and %d are in cell order; want them shuffled", same, sorted)
	}
	if missing, err := p.Missing(p.Steps[:30]); err != nil || !slices.Equal(missing, p.Steps[30:]) {
		t.Errorf("Missing(first 30) = %d steps, %v; want the other 90", len(missing), err)
	}
}

// feed passes trials of cell 0 of p with wall times ms (milliseconds, one
// per measured round, after p's warmups) to s, and returns the round
// after which s stopped the cell (-1 if it did not).
func feed(s *Stopper, p *Plan, ms []float64) int {
	for r := range p.Config.Warmup {
		s.Add(&Trial{Step: Step{Cell: 0, Rep: r, Warmup: true}, WallNS: 1e9, OK: true})
	}
	for i, x := range ms {
		r := p.Config.Warmup + i
		if s.Skip(Step{Cell: 0, Rep: r}) {
			return r - 1
		}
		if s.Add(&Trial{Step: Step{Cell: 0, Rep: r}, WallNS: int64(x * 1e6), OK: true}) {
			return r
		}
	}
	return -1
}

func TestStopper(t *testing.T) {
	t.Parallel()
	p := adaptivePlan(1, 0.05, 12)
	if NewStopper(runnerPlan(t)) != nil {
		t.Error("NewStopper of a plan with fixed repeats is not nil")
	}
	t.Run("PreciseAtTheFirstCheck", func(t *testing.T) {
		// Six trials within ±1%: the first check with an interval (n = 6)
		// is precise.
		s := NewStopper(p)
		if got := feed(s, p, []float64{100, 101, 99, 100, 100.5, 99.5, 100}); got != 2+5 {
			t.Errorf("stopped after round %d, want 7", got)
		}
		if st := s.Cell(0); !st.Stopped || !st.Precise || st.N != 6 || st.Precision > 0.01 {
			t.Errorf("cell state %+v", st)
		}
		if !s.Skip(Step{Cell: 0, Rep: 8}) || s.Skip(Step{Cell: 0, Rep: 7}) || s.Skip(Step{Cell: 1, Rep: 8}) {
			t.Error("Skip: want only the stopped cell's later rounds skipped")
		}
	})
	t.Run("TwoChecksAfterAMiss", func(t *testing.T) {
		// Up to n = 8 the interval is [min, max], 90..110 (±10%: a miss);
		// at n = 9 it narrows to [x(1), x(7)], 100..100 (a hit), and n = 10
		// is the second hit.
		s := NewStopper(p)
		if got := feed(s, p, []float64{90, 110, 100, 100, 100, 100, 100, 100, 100, 100, 100}); got != 2+9 {
			t.Errorf("stopped after round %d, want 11 (the second precise check)", got)
		}
	})
	t.Run("NotPreciseAtMax", func(t *testing.T) {
		s := NewStopper(p)
		if got := feed(s, p, []float64{50, 150, 80, 120, 60, 140, 70, 130, 90, 110, 95, 105}); got != 2+11 {
			t.Errorf("stopped after round %d, want 13 (max)", got)
		}
		if st := s.Cell(0); !st.Stopped || st.Precise || st.N != 12 {
			t.Errorf("cell state %+v", st)
		}
	})
	t.Run("FailedAndTimedOutTrialsDoNotCount", func(t *testing.T) {
		s := NewStopper(p)
		for r := 2; r < 9; r++ { // 7 rounds, 4 that count
			s.Add(&Trial{Step: Step{Cell: 0, Rep: r}, WallNS: 1e8, OK: r%2 == 0, TimedOut: r == 3})
		}
		if st := s.Cell(0); st.N != 4 || st.Stopped || !math.IsInf(st.Precision, 1) {
			t.Errorf("cell state %+v, want 4 trials counted and no decision", st)
		}
	})
	t.Run("ReplayGivesTheSameDecisions", func(t *testing.T) {
		// A whole plan fed trial by trial, and the same trials fed in two
		// parts to two Stoppers, the second replaying the first part as
		// exp run --resume does, skip the same steps.
		rng := rand.New(rand.NewPCG(3, 4))
		cv := make([]float64, len(p.Cells))
		for i := range cv {
			cv[i] = 0.002 * float64(i*i) // from 0 to 24%: some cells stop early, some at max
		}
		times := map[int]int64{}
		for _, st := range p.Steps {
			times[st.Seq] = int64(1e8 * math.Exp(cv[st.Cell]*rng.NormFloat64()))
		}
		run := func(s *Stopper, steps []Step) (ran []Step) {
			for _, st := range steps {
				if s.Skip(st) {
					continue
				}
				ran = append(ran, st)
				s.Add(&Trial{Step: st, WallNS: times[st.Seq], OK: true})
			}
			return ran
		}
		whole := run(NewStopper(p), p.Steps)
		if len(whole) == len(p.Steps) || len(whole) < len(p.Steps)/2 {
			t.Fatalf("%d of %d steps ran; want some cells stopped early, not all", len(whole), len(p.Steps))
		}
		cut := len(whole) / 2
		first := run(NewStopper(p), p.Steps[:whole[cut].Seq])
		resumed := NewStopper(p)
		for _, st := range first {
			resumed.Add(&Trial{Step: st, WallNS: times[st.Seq], OK: true})
		}
		missing, err := p.Missing(first)
		if err != nil {
			t.Fatal(err)
		}
		second := run(resumed, missing)
		if got := append(first, second...); !slices.Equal(got, whole) {
			t.Errorf("interrupted and resumed, the run ran %d steps; uninterrupted, %d", len(got), len(whole))
		}
		if fresh := run(NewStopper(p), missing); slices.Equal(append(first, fresh...), whole) {
			t.Error("a Stopper without the replay made the same decisions: the test does not test the replay")
		}
	})
}

// TestRunnerStopsPreciseCells runs an adaptive plan of 10 ms sleeps with
// a precision of 99%: a cell stops as soon as no trial took twice its
// median, at 6 measured trials on a quiet machine; the Runner skips the
// rest of its steps and shrinks its progress total.
func TestRunnerStopsPreciseCells(t *testing.T) {
	t.Parallel()
	c, err := Parse("a.yaml", []byte("name: a\nkernel: synthetic\nsynthetic: {serial: 0ms, parallel: 10ms, mode: sleep}\n"+
		"workers: [1, 2]\nwarmup: 1\nrepeats: {min: 3, max: 20, precision: 99%}\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := NewPlan(c, 1)
	var totals []int
	perCell := map[int]int{}
	rn := &Runner{Progress: func(_, total int) { totals = append(totals, total) }}
	sum, err := rn.Run(context.Background(), p, p.Steps, func(t Trial) error { perCell[t.Cell]++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if sum.Trials+sum.Stopped != 42 || perCell[0] < 7 || perCell[0] >= 21 || perCell[1] < 7 || perCell[1] >= 21 {
		t.Errorf("Summary %+v, trials per cell %v; want each cell stopped between 1+6 and 1+20 trials, the rest stopped", sum, perCell)
	}
	if totals[0] != 42 || totals[len(totals)-1] != sum.Trials {
		t.Errorf("progress totals %v, want 42 falling to the %d trials run", totals, sum.Trials)
	}
}
