package experiment

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// oldPlanSteps is NewPlan's order before invocations existed, written out
// again: every cell's warmup+repeats steps, shuffled once.
func oldPlanSteps(c *Config, cells int, seed int64) []Step {
	var steps []Step
	for ci := range cells {
		for range c.Warmup + c.Repeats {
			steps = append(steps, Step{Cell: ci})
		}
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6578702d706c616e))
	rng.Shuffle(len(steps), func(i, j int) { steps[i], steps[j] = steps[j], steps[i] })
	seen := make([]int, cells)
	for i := range steps {
		steps[i].Seq, steps[i].Rep = i, seen[steps[i].Cell]
		steps[i].Warmup = steps[i].Rep < c.Warmup
		seen[steps[i].Cell]++
	}
	return steps
}

func TestPlanInvocations(t *testing.T) {
	t.Run("OneIsTodaysPlan", func(t *testing.T) {
		for _, inv := range []int{0, 1} {
			c := planConfig()
			c.Invocations = inv
			p := NewPlan(c, 7)
			if want := oldPlanSteps(c, len(p.Cells), 7); !reflect.DeepEqual(p.Steps, want) {
				t.Errorf("invocations %d: the plan differs from the one before invocations", inv)
			}
		}
	})
	t.Run("Split", func(t *testing.T) {
		for _, n := range []int{2, 3, 4} {
			c := planConfig()
			c.Repeats, c.Warmup, c.Invocations = 10, 2, n
			p := NewPlan(c, 42)
			if got, want := len(p.Steps), len(p.Cells)*(n*c.Warmup+c.Repeats); got != want {
				t.Fatalf("n=%d: %d steps, want %d (N x warmup + repeats per cell)", n, got, want)
			}
			type key struct{ cell, inv int }
			warm, meas := map[key]int{}, map[key]int{}
			rep := make([]int, len(p.Cells))
			lastInv := 0
			for i, st := range p.Steps {
				if st.Seq != i {
					t.Fatalf("Steps[%d].Seq = %d", i, st.Seq)
				}
				if st.Invocation < lastInv {
					t.Fatalf("Steps[%d] is invocation %d after invocation %d: invocations must run one after the other", i, st.Invocation, lastInv)
				}
				lastInv = st.Invocation
				if st.Rep != rep[st.Cell] {
					t.Errorf("Steps[%d].Rep = %d, want %d", i, st.Rep, rep[st.Cell])
				}
				rep[st.Cell]++
				k := key{st.Cell, st.Invocation}
				if st.Warmup {
					if meas[k] > 0 {
						t.Errorf("Steps[%d]: a warmup after a measured trial of the same cell and invocation", i)
					}
					warm[k]++
				} else {
					meas[k]++
				}
			}
			for ci := range p.Cells {
				total := 0
				for k := range n {
					if warm[key{ci, k}] != c.Warmup {
						t.Errorf("n=%d cell %d invocation %d: %d warmups, want %d", n, ci, k, warm[key{ci, k}], c.Warmup)
					}
					m := meas[key{ci, k}]
					if lo := c.Repeats / n; m < lo || m > lo+1 {
						t.Errorf("n=%d cell %d invocation %d: %d repeats, want %d or %d", n, ci, k, m, lo, lo+1)
					}
					total += m
				}
				if total != c.Repeats {
					t.Errorf("n=%d cell %d: %d repeats in all, want %d", n, ci, total, c.Repeats)
				}
			}
		}
	})
	t.Run("Deterministic", func(t *testing.T) {
		c := planConfig()
		c.Repeats, c.Invocations = 6, 3
		a, b := NewPlan(c, 5), NewPlan(c, 5)
		if !reflect.DeepEqual(a.Steps, b.Steps) {
			t.Error("the same config and seed gave two plans")
		}
		if d := NewPlan(c, 6); reflect.DeepEqual(a.Steps, d.Steps) {
			t.Error("seeds 5 and 6 gave the same plan")
		}
	})
	t.Run("Missing", func(t *testing.T) {
		c := planConfig()
		c.Repeats, c.Invocations = 6, 3
		p := NewPlan(c, 5)
		done := InvocationSteps(p.Steps, 0)
		missing, err := p.Missing(done)
		if err != nil {
			t.Fatal(err)
		}
		if len(InvocationSteps(missing, 0)) != 0 || len(missing) != len(p.Steps)-len(done) {
			t.Errorf("Missing after invocation 0 holds %d of its steps, %d in all", len(InvocationSteps(missing, 0)), len(missing))
		}
		bad := done[0]
		bad.Invocation = 1
		if _, err := p.Missing([]Step{bad}); err == nil {
			t.Error("Missing accepted a stored trial of another invocation")
		}
	})
}

func TestParseInvocations(t *testing.T) {
	base := "name: x\nranges: [{start: 1, count: 5}]\nworkers: [1]\nrepeats: 4\n"
	c, err := Parse("exp.yaml", []byte(base+"invocations: 4\n"))
	if err != nil || c.Invocations != 4 || c.TrialCount() != 4*1+4 {
		t.Fatalf("invocations 4: %v, %+v", err, c)
	}
	for _, tc := range []struct{ name, in, want string }{
		{"ErrZero", "invocations: 0\n", "exp.yaml:5:14: invocations: 0 is out of range (must be an integer from 1 to 1000)"},
		{"ErrTooMany", "invocations: 1001\n", "exp.yaml:5:14: invocations: 1001 is out of range (must be an integer from 1 to 1000)"},
		{"ErrMoreThanRepeats", "invocations: 5\n", "exp.yaml:5:14: invocations: 5 is more than repeats, 4 (each invocation needs at least one repeat of every cell: lower invocations or raise repeats)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("exp.yaml", []byte(base+tc.in))
			if err == nil || err.Error() != tc.want {
				t.Errorf("got  %v\nwant %s", err, tc.want)
			}
		})
	}
}

func TestParseInvocationsAdaptive(t *testing.T) {
	src := "name: x\nranges: [{start: 1, count: 5}]\nworkers: [1]\nrepeats: {min: 5, max: 20, precision: 2%}\ninvocations: 2\n"
	want := "exp.yaml:5:14: invocations: does not go with repeats as {min, max, precision} yet (adaptive repeats stop cells between rounds, not between processes): use a number of repeats, or invocations: 1"
	if _, err := Parse("exp.yaml", []byte(src)); err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	if _, err := Parse("exp.yaml", []byte(strings.Replace(src, "invocations: 2", "invocations: 1", 1))); err != nil {
		t.Errorf("invocations 1 with adaptive repeats: %v", err)
	}
}

func TestParseProcessJitter(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		err  string
	}{
		{"5%", 0.05, ""},
		{"0%", 0, ""},
		{"0.05", 0, "exp.yaml:3:70: synthetic.process_jitter: 0.05 has no % sign (must be a percentage from 0% to 20% such as 5%; write 0.05% for 0.05 percent)"},
		{"25%", 0, "exp.yaml:3:70: synthetic.process_jitter: 25% is out of range (must be a percentage from 0% to 20% such as 5%)"},
		{"lots", 0, `exp.yaml:3:70: synthetic.process_jitter: cannot read "lots" as a percentage (must be a percentage from 0% to 20% such as 5%)`},
	} {
		src := "name: x\nkernel: synthetic\nsynthetic: {serial: 1ms, parallel: 9ms, mode: sleep, process_jitter: " + tc.in + "}\nworkers: [1]\n"
		c, err := Parse("exp.yaml", []byte(src))
		switch {
		case tc.err != "" && (err == nil || err.Error() != tc.err):
			t.Errorf("%s: got %v, want %s", tc.in, err, tc.err)
		case tc.err == "" && (err != nil || c.Synthetic.ProcessJitter != tc.want):
			t.Errorf("%s: got %v, %+v, want %g", tc.in, err, c, tc.want)
		}
	}
}

func TestProcessFactor(t *testing.T) {
	if f := ProcessFactor(1, 0, 0); f != 1 {
		t.Errorf("no jitter: factor %g, want 1", f)
	}
	if ProcessOffset(3, 1) != ProcessOffset(3, 1) || ProcessOffset(3, 1) == ProcessOffset(3, 2) {
		t.Error("ProcessOffset is not a function of (seed, invocation)")
	}
	s := Synthetic{Serial: 1000 * SyntheticUnit, Parallel: 9000 * SyntheticUnit, Mode: ModeSleep, ProcessJitter: 0.05}.InProcess(3, 1)
	if want := 1 + 0.05*ProcessOffset(3, 1); s.Scale != want {
		t.Errorf("Scale = %g, want %g", s.Scale, want)
	}
}

// TestProcessLabel: a process continuing invocation K after an interrupt
// stores K + N·a, and Missing reads that label as invocation K.
func TestProcessLabel(t *testing.T) {
	c := planConfig()
	c.Invocations = 4
	p := NewPlan(c, 7)
	for _, tc := range []struct {
		k      int
		stored []int
		want   int
	}{
		{1, nil, 1},
		{1, []int{0}, 1},
		{1, []int{0, 1}, 5},
		{1, []int{0, 1, 2, 5}, 9},
		{2, []int{0, 1, 5}, 2},
	} {
		if got := p.ProcessLabel(tc.k, tc.stored); got != tc.want {
			t.Errorf("ProcessLabel(%d, %v) = %d, want %d", tc.k, tc.stored, got, tc.want)
		}
	}
	done := []Step{p.Steps[0]}
	done[0].Invocation += 4 // stored by a process that continued it
	missing, err := p.Missing(done)
	if err != nil || len(missing) != len(p.Steps)-1 {
		t.Errorf("Missing with a continuing process's label: %d missing, %v", len(missing), err)
	}
}
