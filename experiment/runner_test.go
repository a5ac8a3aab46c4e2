package experiment

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// runnerRange holds 5 primes: small enough that a trial takes milliseconds.
var runnerRange = Range{Start: 10_000_000_000_000, Count: 200}

// runnerPlan is 1 range x 3 schedules x workers [1, 2], warmup 1 and
// repeats 2: 6 cells, 18 steps.
func runnerPlan(tb testing.TB) *Plan {
	tb.Helper()
	c := &Config{Name: "runner", Repeats: 2, Warmup: 1, Kernel: "primes", Ranges: []Range{runnerRange},
		Schedules: slices.Clone(Schedules), Workers: []int{1, 2}, Chunk: 8}
	return NewPlan(c, 7)
}

// runnerRefs returns the oracle references of p's tested ranges.
func runnerRefs(tb testing.TB, p *Plan) map[Range]Reference {
	tb.Helper()
	refs, err := references(context.Background(), Primes{}, p.Ranges())
	if err != nil {
		tb.Fatal(err)
	}
	return refs
}

// stepClock returns a clock that reads base+1s, base+2s, ... on each call.
func stepClock(base time.Time) func() time.Time {
	n := 0
	return func() time.Time {
		n++
		return base.Add(time.Duration(n) * time.Second)
	}
}

func TestReferences(t *testing.T) {
	t.Parallel()
	ranges := []Range{runnerRange, {0, 100}, runnerRange} // a range tested twice is computed once
	refs, err := references(context.Background(), Primes{}, ranges)
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 2 || refs[runnerRange].Source != SourceOracle || refs[runnerRange].Hits != 5 || refs[ranges[1]].Hits != 25 {
		t.Fatalf("References = %+v", refs)
	}
	if refs[ranges[1]].Digest != oracleDigest(t, ranges[1]) {
		t.Errorf("refs[%v] = %+v, want the oracle digest", ranges[1], refs[ranges[1]])
	}

	t.Run("ErrInterrupted", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		refs, err := references(ctx, Primes{}, ranges)
		if !errors.Is(err, ErrInterrupted) || refs != nil {
			t.Fatalf("references(cancelled) = %v, %v; want ErrInterrupted", refs, err)
		}
		if want := "oracle for range [10000000000000, +200): interrupted"; err.Error() != want {
			t.Errorf("error %q, want %q", err, want)
		}
	})
}

func TestRunnerRun(t *testing.T) {
	t.Parallel()
	p := runnerPlan(t)
	refs := runnerRefs(t, p)
	base := time.Date(2031, 2, 3, 4, 5, 6, 7, time.FixedZone("UTC+5", 5*3600))
	var progress [][2]int
	rn := &Runner{
		References: refs,
		Now:        stepClock(base),
		Load:       func() (float64, bool) { return 1.25, true },
		Progress:   func(done, total int) { progress = append(progress, [2]int{done, total}) },
	}
	var trials []Trial
	sum, err := rn.Run(context.Background(), p, p.Steps, func(tr Trial) error {
		trials = append(trials, tr)
		return nil
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if sum != (Summary{Trials: 18, Failed: 0}) || len(trials) != 18 || len(p.Steps) != 18 {
		t.Fatalf("Run = %+v with %d trials, want 18 trials", sum, len(trials))
	}
	for i, tr := range trials {
		cell := p.Cells[tr.Cell]
		if tr.Step != p.Steps[i] {
			t.Errorf("trial %d is step %+v, want %+v", i, tr.Step, p.Steps[i])
		}
		if !tr.OK || tr.Mismatch != "" || tr.Digest != refs[runnerRange].Digest {
			t.Errorf("trial %d: OK %v %q, digest %+v", i, tr.OK, tr.Mismatch, tr.Digest)
		}
		if want := base.Add(time.Duration(i+1) * time.Second).UTC(); !tr.StartedAt.Equal(want) || tr.StartedAt.Location() != time.UTC || tr.StartedAt != want {
			t.Errorf("trial %d StartedAt = %v, want %v", i, tr.StartedAt, want)
		}
		if tr.WallNS <= 0 || tr.UserNS < 0 || tr.SysNS < 0 {
			t.Errorf("trial %d: WallNS %d, UserNS %d, SysNS %d", i, tr.WallNS, tr.UserNS, tr.SysNS)
		}
		if tr.Load1 != 1.25 || !tr.HasLoad {
			t.Errorf("trial %d: Load1 %v, HasLoad %v", i, tr.Load1, tr.HasLoad)
		}
		if len(tr.Workers) != cell.Workers {
			t.Errorf("trial %d: %d worker stats for a %d-worker cell", i, len(tr.Workers), cell.Workers)
		}
		var items uint64
		for _, w := range tr.Workers {
			items += w.Items
		}
		if items != runnerRange.Count {
			t.Errorf("trial %d tested %d numbers", i, items)
		}
		if progress[i] != [2]int{i + 1, 18} {
			t.Errorf("progress call %d = %v", i, progress[i])
		}
	}
}

func TestRunnerRunSubsetOfSteps(t *testing.T) {
	t.Parallel()
	p := runnerPlan(t)
	steps := p.Steps[5:9]
	var seqs []int
	sum, err := (&Runner{Kernel: Primes{}}).Run(context.Background(), p, steps, func(tr Trial) error {
		seqs = append(seqs, tr.Seq)
		return nil
	})
	if err != nil || sum.Trials != 4 || !slices.Equal(seqs, []int{5, 6, 7, 8}) {
		t.Errorf("Run(steps 5..8) = %+v, %v; emitted %v", sum, err, seqs)
	}
}

func TestRunnerRunErrEmit(t *testing.T) {
	t.Parallel()
	p := runnerPlan(t)
	errFull := errors.New("disk full")
	calls, progress := 0, 0
	rn := &Runner{References: runnerRefs(t, p), Progress: func(int, int) { progress++ }}
	sum, err := rn.Run(context.Background(), p, p.Steps, func(Trial) error {
		calls++
		if calls == 3 {
			return errFull
		}
		return nil
	})
	if !errors.Is(err, errFull) {
		t.Fatalf("Run = %v, want it to wrap the emit error", err)
	}
	if want := fmt.Sprintf("save trial %d: disk full", p.Steps[2].Seq); err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if sum.Trials != 2 || calls != 3 || progress != 2 {
		t.Errorf("Summary %+v after %d emits and %d progress calls; want 2 trials, 3 emits, 2 progress calls", sum, calls, progress)
	}
}

func TestRunnerRunErrInterrupted(t *testing.T) {
	t.Parallel()
	t.Run("BeforeFirstTrial", func(t *testing.T) {
		t.Parallel()
		p := runnerPlan(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		calls := 0
		sum, err := (&Runner{}).Run(ctx, p, p.Steps, func(Trial) error { calls++; return nil })
		if !errors.Is(err, ErrInterrupted) || sum.Trials != 0 || calls != 0 {
			t.Errorf("Run(cancelled) = %+v, %v after %d emits", sum, err, calls)
		}
	})
	t.Run("BetweenTrials", func(t *testing.T) {
		t.Parallel()
		p := runnerPlan(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		calls := 0
		sum, err := (&Runner{}).Run(ctx, p, p.Steps, func(Trial) error {
			calls++
			if calls == 2 {
				cancel()
			}
			return nil
		})
		if !errors.Is(err, ErrInterrupted) || sum.Trials != 2 || calls != 2 {
			t.Errorf("Run = %+v, %v after %d emits; want ErrInterrupted after 2", sum, err, calls)
		}
	})
	t.Run("DuringTrial", func(t *testing.T) {
		t.Parallel()
		p := runnerPlan(t)
		p.Cells[p.Steps[0].Cell].Range = Range{Start: 0, Count: 10_000}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// The kernel cancels the run on its first number, then slows down
		// so that the trial cannot finish before the workers notice.
		var first atomic.Bool
		k := funcKernel{"cancel", func(uint64) bool {
			if first.CompareAndSwap(false, true) {
				cancel()
			}
			time.Sleep(time.Millisecond)
			return false
		}}
		calls := 0
		start := time.Now()
		sum, err := (&Runner{Kernel: k}).Run(ctx, p, p.Steps, func(Trial) error { calls++; return nil })
		if !errors.Is(err, ErrInterrupted) || sum.Trials != 0 || calls != 0 {
			t.Errorf("Run = %+v, %v after %d emits; want ErrInterrupted and no trial", sum, err, calls)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Run took %v to stop", d)
		}
	})
}

func TestRunnerRunErrors(t *testing.T) {
	t.Parallel()
	t.Run("ErrUnknownKernel", func(t *testing.T) {
		t.Parallel()
		p := runnerPlan(t)
		p.Config.Kernel = "nope"
		_, err := (&Runner{}).Run(context.Background(), p, p.Steps, func(Trial) error { return nil })
		if err == nil || err.Error() != `unknown kernel "nope"` {
			t.Errorf("Run = %v, want unknown kernel", err)
		}
	})
	t.Run("ErrUnknownSchedule", func(t *testing.T) {
		t.Parallel()
		c := &Config{Name: "bad", Repeats: 1, Kernel: "primes", Ranges: []Range{{0, 10}},
			Schedules: []Schedule{"bogus"}, Workers: []int{1}, Chunk: 8}
		p := NewPlan(c, 1)
		calls := 0
		sum, err := (&Runner{}).Run(context.Background(), p, p.Steps, func(Trial) error { calls++; return nil })
		want := `trial 0: unknown schedule "bogus" (allowed: per-item, chunked, static)`
		if err == nil || err.Error() != want || errors.Is(err, ErrInterrupted) || calls != 0 || sum.Trials != 0 {
			t.Errorf("Run = %+v, %v after %d emits; want %s", sum, err, calls, want)
		}
	})
}

// TestRunnerSummaryOnEmitError: Summary.Failed counts only emitted trials.
func TestRunnerSummaryOnEmitError(t *testing.T) {
	t.Parallel()
	t.Run("FailedCountsOnlyEmittedTrials", func(t *testing.T) {
		t.Parallel()
		p := runnerPlan(t)
		refs := runnerRefs(t, p)
		ref := refs[runnerRange]
		ref.Hits++
		refs[runnerRange] = ref
		sum, err := (&Runner{References: refs}).Run(context.Background(), p, p.Steps, func(Trial) error {
			return errors.New("disk full")
		})
		if err == nil {
			t.Fatal("Run succeeded despite emit failing")
		}
		if sum.Failed > sum.Trials {
			t.Errorf("Summary %+v: more failures than emitted trials", sum)
		}
	})
}

// TestRunnerNeverEmitsACutTrial: whatever part of a trial the cancel
// cuts short (the workers of each schedule, or a kernel's serial part),
// the trial is not emitted, so it is never stored half-done; a resume
// finds it missing and runs it again.
func TestRunnerNeverEmitsACutTrial(t *testing.T) {
	t.Parallel()
	for _, s := range Schedules {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			c := &Config{Name: "cut", Repeats: 3, Warmup: 0, Kernel: "primes", Ranges: []Range{{Start: 0, Count: 2_000}},
				Schedules: []Schedule{s}, Workers: []int{2}, Chunk: 8}
			p := NewPlan(c, 1)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			// The second trial cancels the run on its 100th number, then
			// slows down so that it cannot finish before the workers stop.
			var n atomic.Int64
			k := funcKernel{"cut", func(uint64) bool {
				switch i := n.Add(1); {
				case i == 2_000+100:
					cancel()
				case i > 2_000+100:
					time.Sleep(time.Millisecond)
				}
				return false
			}}
			var emitted []Step
			sum, err := (&Runner{Kernel: k}).Run(ctx, p, p.Steps, func(tr Trial) error {
				emitted = append(emitted, tr.Step)
				return nil
			})
			if !errors.Is(err, ErrInterrupted) || sum.Trials != 1 || !slices.Equal(emitted, p.Steps[:1]) {
				t.Fatalf("Run = %+v, %v, emitted %v; want ErrInterrupted after emitting the first trial only", sum, err, emitted)
			}
			missing, err := p.Missing(emitted)
			if err != nil || !slices.Equal(missing, p.Steps[1:]) {
				t.Errorf("Missing = %v, %v; want the cut trial and the rest", missing, err)
			}
		})
	}
	t.Run("SerialPart", func(t *testing.T) {
		t.Parallel()
		k := Synthetic{Serial: 5 * time.Second, Parallel: time.Millisecond, Mode: ModeSleep}
		c := &Config{Name: "cut", Repeats: 2, Warmup: 0, Kernel: "synthetic", Ranges: []Range{{Start: 0, Count: 1_000}},
			Schedules: []Schedule{Static}, Workers: []int{1}, Synthetic: &k}
		p := NewPlan(c, 1)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		calls := 0
		start := time.Now()
		sum, err := (&Runner{Kernel: k}).Run(ctx, p, p.Steps, func(Trial) error { calls++; return nil })
		if !errors.Is(err, ErrInterrupted) || sum.Trials != 0 || calls != 0 {
			t.Errorf("Run = %+v, %v after %d emits; want ErrInterrupted and no trial", sum, err, calls)
		}
		if d := time.Since(start); d > 4*time.Second {
			t.Errorf("the serial part ran on for %v after the cancel", d)
		}
	})
}
