package experiment

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// planConfig is a 2x3x3 matrix: 18 cells of warmup+repeats = 5 trials.
func planConfig() *Config {
	return &Config{Name: "plan", Repeats: 3, Warmup: 2, Kernel: "primes",
		Ranges:    []Range{{0, 10}, {100, 10}},
		Schedules: []Schedule{Static, PerItem, Chunked},
		Workers:   []int{4, 1, 2}, Chunk: 8}
}

// checkPlan fails unless p is a valid plan of c with the given seed.
func checkPlan(tb testing.TB, c *Config, seed int64, p *Plan) {
	tb.Helper()
	if p.Config != c || p.Seed != seed {
		tb.Errorf("Config, Seed = %p, %d; want %p, %d", p.Config, p.Seed, c, seed)
	}
	// Cells: ranges, then schedules, then workers, in file order.
	want := len(c.Ranges) * len(c.Schedules) * len(c.Workers)
	if len(p.Cells) != want {
		tb.Fatalf("%d cells, want %d", len(p.Cells), want)
	}
	i := 0
	for ri, r := range c.Ranges {
		for _, s := range c.Schedules {
			for _, w := range c.Workers {
				if got, want := p.Cells[i], (Cell{Index: i, RangeIndex: ri, Range: r, Schedule: s, Workers: w}); got != want {
					tb.Errorf("Cells[%d] = %+v, want %+v", i, got, want)
				}
				i++
			}
		}
	}
	// Steps: warmup+repeats per cell; Seq is the position; within a cell,
	// Rep counts up from 0 in Seq order and the warmups come first.
	per := c.Warmup + c.Repeats
	if len(p.Steps) != len(p.Cells)*per {
		tb.Fatalf("%d steps, want %d", len(p.Steps), len(p.Cells)*per)
	}
	next := make([]int, len(p.Cells))
	for i, st := range p.Steps {
		if st.Seq != i {
			tb.Errorf("Steps[%d].Seq = %d", i, st.Seq)
		}
		if st.Cell < 0 || st.Cell >= len(p.Cells) {
			tb.Fatalf("Steps[%d].Cell = %d", i, st.Cell)
		}
		if st.Rep != next[st.Cell] {
			tb.Errorf("Steps[%d] = %+v: Rep %d, want %d", i, st, st.Rep, next[st.Cell])
		}
		if st.Warmup != (st.Rep < c.Warmup) {
			tb.Errorf("Steps[%d] = %+v: Warmup should be %v", i, st, st.Rep < c.Warmup)
		}
		next[st.Cell]++
	}
	for ci, n := range next {
		if n != per {
			tb.Errorf("cell %d has %d steps, want %d", ci, n, per)
		}
	}
}

// cellOrder returns the cell of each step, in order.
func cellOrder(p *Plan) []int {
	out := make([]int, len(p.Steps))
	for i, st := range p.Steps {
		out[i] = st.Cell
	}
	return out
}

func TestNewPlan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(c *Config)
		seed   int64
	}{
		{"Matrix", func(c *Config) {}, 1},
		{"NoWarmup", func(c *Config) { c.Warmup = 0 }, 2},
		{"OnlyWarmupAndOneRepeat", func(c *Config) { c.Warmup, c.Repeats = 1, 1 }, 3},
		{"OneCellOneTrial", func(c *Config) {
			c.Ranges, c.Schedules, c.Workers, c.Warmup, c.Repeats = c.Ranges[:1], c.Schedules[:1], c.Workers[:1], 0, 1
		}, 4},
		{"ManyTrials", func(c *Config) { c.Warmup, c.Repeats = 5, 40 }, 5},
		{"SeedZero", func(c *Config) {}, 0},
		{"SeedMax", func(c *Config) {}, 1<<63 - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := planConfig()
			tt.mutate(c)
			checkPlan(t, c, tt.seed, NewPlan(c, tt.seed))
		})
	}
}

func TestNewPlanSameSeedSamePlan(t *testing.T) {
	t.Parallel()
	c := planConfig()
	for _, seed := range []int64{0, 1, 42, 1<<63 - 1} {
		if a, b := NewPlan(c, seed), NewPlan(c, seed); !reflect.DeepEqual(a, b) {
			t.Errorf("seed %d: two plans differ", seed)
		}
	}
}

func TestNewPlanDifferentSeedDifferentOrder(t *testing.T) {
	t.Parallel()
	c := planConfig()
	seen := map[string]int64{}
	for _, seed := range []int64{0, 1, 2, 3, 42, 43, -1, 1<<63 - 1} {
		p := NewPlan(c, seed)
		key := fmt.Sprint(cellOrder(p))
		if prev, dup := seen[key]; dup {
			t.Errorf("seeds %d and %d give the same order", prev, seed)
		}
		seen[key] = seed
	}
}

func TestNewPlanInterleavesCells(t *testing.T) {
	t.Parallel()
	c := planConfig()
	for _, seed := range []int64{1, 42, 12345} {
		p := NewPlan(c, seed)
		// A cell is contiguous if its steps occupy consecutive Seqs.
		contiguous := 0
		for ci := range p.Cells {
			var seqs []int
			for _, st := range p.Steps {
				if st.Cell == ci {
					seqs = append(seqs, st.Seq)
				}
			}
			if seqs[len(seqs)-1]-seqs[0] == len(seqs)-1 {
				contiguous++
			}
		}
		if contiguous > len(p.Cells)/4 {
			t.Errorf("seed %d: %d of %d cells run all their trials back to back", seed, contiguous, len(p.Cells))
		}
		// Not in file order either.
		if slices.IsSorted(cellOrder(p)) {
			t.Errorf("seed %d: steps are in cell order", seed)
		}
	}
}

// TestNewPlanOrderIsStable pins the order for one seed: runs store their seed
// so that the order can be reproduced later, which breaks if the shuffle
// changes.
func TestNewPlanOrderIsStable(t *testing.T) {
	t.Parallel()
	c := &Config{Name: "pin", Repeats: 2, Warmup: 1, Kernel: "primes", Ranges: []Range{{0, 10}},
		Schedules: []Schedule{Chunked, Static}, Workers: []int{1, 2}, Chunk: 8}
	want := []int{2, 0, 3, 1, 1, 2, 3, 3, 0, 1, 2, 0}
	if got := cellOrder(NewPlan(c, 42)); !slices.Equal(got, want) {
		t.Errorf("seed 42 cell order = %v, want %v", got, want)
	}
}

// TestNewPlanWeakScaling: under weak scaling each cell tests count x workers
// from the same start, keeps the file's RangeIndex, and Plan.Ranges lists
// each tested range once; under strong scaling the cells test the file's
// ranges.
func TestNewPlanWeakScaling(t *testing.T) {
	t.Parallel()
	parse := func(tb testing.TB, src string) *Config {
		tb.Helper()
		c, err := Parse("exp.yaml", []byte(src))
		if err != nil {
			tb.Fatal(err)
		}
		return c
	}
	type cell struct {
		ri      int
		r       Range
		s       Schedule
		workers int
	}
	for _, tc := range []struct {
		name       string
		src        string
		wantCells  []cell
		wantRanges []Range
	}{
		{
			"PrimesWeak", "name: x\nscaling: weak\nranges: [{start: 100, count: 5}, {start: 7, count: 1}]\nworkers: [1, 4, 2]\nschedules: [static, chunked]\n",
			[]cell{
				{0, Range{100, 5}, Static, 1}, {0, Range{100, 20}, Static, 4}, {0, Range{100, 10}, Static, 2},
				{0, Range{100, 5}, Chunked, 1}, {0, Range{100, 20}, Chunked, 4}, {0, Range{100, 10}, Chunked, 2},
				{1, Range{7, 1}, Static, 1}, {1, Range{7, 4}, Static, 4}, {1, Range{7, 2}, Static, 2},
				{1, Range{7, 1}, Chunked, 1}, {1, Range{7, 4}, Chunked, 4}, {1, Range{7, 2}, Chunked, 2},
			},
			[]Range{{100, 5}, {100, 20}, {100, 10}, {7, 1}, {7, 4}, {7, 2}},
		},
		{
			"PrimesStrong", "name: x\nscaling: strong\nranges: [{start: 100, count: 5}]\nworkers: [1, 4]\n",
			[]cell{{0, Range{100, 5}, Chunked, 1}, {0, Range{100, 5}, Chunked, 4}},
			[]Range{{100, 5}},
		},
		{
			// The parallel part grows (90ms per worker); the serial part
			// is the kernel's and does not.
			"SyntheticWeak", syntheticMinimal + "scaling: weak\n",
			[]cell{{0, Range{0, 90_000}, Static, 1}, {0, Range{0, 180_000}, Static, 2}},
			[]Range{{0, 90_000}, {0, 180_000}},
		},
		{
			"SyntheticStrong", syntheticMinimal,
			[]cell{{0, Range{0, 90_000}, Static, 1}, {0, Range{0, 90_000}, Static, 2}},
			[]Range{{0, 90_000}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := parse(t, tc.src)
			p := NewPlan(c, 1)
			var got []cell
			for i, pc := range p.Cells {
				if pc.Index != i {
					t.Errorf("Cells[%d].Index = %d", i, pc.Index)
				}
				got = append(got, cell{pc.RangeIndex, pc.Range, pc.Schedule, pc.Workers})
			}
			if !slices.Equal(got, tc.wantCells) {
				t.Errorf("cells\n got %+v\nwant %+v", got, tc.wantCells)
			}
			if r := p.Ranges(); !slices.Equal(r, tc.wantRanges) {
				t.Errorf("Ranges() = %v, want %v", r, tc.wantRanges)
			}
			if k := c.NewKernel(); c.Kernel == "synthetic" && k.(Synthetic).Serial != 10*1000*SyntheticUnit {
				t.Errorf("kernel %+v: the serial part must not grow", k)
			}
		})
	}
}

// TestPlanMissing: a resumed run does the steps not stored, in plan order,
// and refuses stored trials that are not its plan's.
func TestPlanMissing(t *testing.T) {
	p := NewPlan(planConfig(), 11)
	t.Run("NoneStored", func(t *testing.T) {
		got, err := p.Missing(nil)
		if err != nil || !reflect.DeepEqual(got, p.Steps) {
			t.Errorf("Missing(nil) = %d steps, %v; want the whole plan", len(got), err)
		}
	})
	t.Run("SomeStored", func(t *testing.T) {
		// Stored out of order, as a read could return them.
		done := []Step{p.Steps[7], p.Steps[0], p.Steps[3], p.Steps[89]}
		got, err := p.Missing(done)
		if err != nil {
			t.Fatal(err)
		}
		var want []Step
		for _, st := range p.Steps {
			if !slices.Contains([]int{0, 3, 7, 89}, st.Seq) {
				want = append(want, st)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Missing = %v, want %v", got, want)
		}
	})
	t.Run("AllStored", func(t *testing.T) {
		if got, err := p.Missing(p.Steps); err != nil || len(got) != 0 {
			t.Errorf("Missing(all) = %v, %v; want none", got, err)
		}
	})
	for _, tc := range []struct {
		name string
		done []Step
		want string
	}{
		{"ErrBeyondPlan", []Step{{Seq: 90}}, "stored trial 90 is beyond the plan's 90 steps"},
		{"ErrNegativeSeq", []Step{{Seq: -1}}, "stored trial -1 is beyond"},
		{"ErrOtherCell", []Step{{Seq: 0, Cell: p.Steps[0].Cell + 1, Rep: p.Steps[0].Rep, Warmup: p.Steps[0].Warmup}}, "stored trial 0 is cell"},
		{"ErrOtherRep", []Step{{Seq: 0, Cell: p.Steps[0].Cell, Rep: p.Steps[0].Rep + 7, Warmup: p.Steps[0].Warmup}}, "stored trial 0 is cell"},
		{"ErrTwice", []Step{p.Steps[5], p.Steps[5]}, "trial 5 is stored twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := p.Missing(tc.done); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Missing = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
