package experiment

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseTimeout(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, value string
		want        time.Duration
	}{
		{"Seconds", "30s", 30 * time.Second},
		{"Mixed", "1m30s", 90 * time.Second},
		{"Fraction", "1.5s", 1500 * time.Millisecond},
		{"Quoted", `"2h"`, 2 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("exp.yaml", []byte(minimal+"timeout: "+tc.value+"\n"))
			if err != nil || c.Timeout != tc.want {
				t.Fatalf("Parse(timeout: %s) = %v, %v; want %v", tc.value, c.Timeout, err, tc.want)
			}
		})
	}
	t.Run("Absent", func(t *testing.T) {
		c, err := Parse("exp.yaml", []byte(minimal))
		if err != nil || c.Timeout != 0 {
			t.Fatalf("Parse(no timeout) = %v, %v; want 0 (none)", c.Timeout, err)
		}
	})
	allowed := "(must be a duration > 0 such as 90ms, in whole microseconds; units ns, us, ms, s, m, h)"
	for _, tc := range []struct{ name, value, want string }{
		{"ErrZero", "0s", "exp.yaml:4:10: timeout: 0s is zero " + allowed},
		{"ErrBareZero", "0", "exp.yaml:4:10: timeout: 0 is zero " + allowed},
		{"ErrNegative", "-1s", "exp.yaml:4:10: timeout: -1s is negative " + allowed},
		{"ErrNoUnit", "30", "exp.yaml:4:10: timeout: 30 has no unit " + allowed},
		{"ErrNotADuration", "soon", `exp.yaml:4:10: timeout: cannot read "soon" as a duration ` + allowed},
		{"ErrNanoseconds", "1500ns", "exp.yaml:4:10: timeout: 1500ns is not a whole number of microseconds " + allowed},
		{"ErrList", "[1s]", "exp.yaml:4:10: timeout: is a list " + allowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseErr(t, minimal+"timeout: "+tc.value+"\n").Error(); got != tc.want {
				t.Errorf("error\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestShortDuration(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		2 * time.Hour:                       "2h",
		90 * time.Minute:                    "1h30m",
		time.Hour + time.Second:             "1h0m1s",
		30 * time.Second:                    "30s",
		90 * time.Second:                    "1m30s",
		10 * time.Minute:                    "10m",
		250 * time.Millisecond:              "250ms",
		0:                                   "0s",
		2*time.Hour + 1500*time.Millisecond: "2h0m1.5s",
	} {
		if got := ShortDuration(d); got != want {
			t.Errorf("ShortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// timeoutPlan is a synthetic sleep experiment of 200 ms of parallel work
// on 1 and 80 workers under a 100 ms timeout: every 1-worker trial (200 ms)
// times out, and every 80-worker trial (2.5 ms) finishes far within it,
// because sleeping takes wall time, not CPU.
func timeoutPlan(tb testing.TB) *Plan {
	tb.Helper()
	c, err := Parse("t.yaml", []byte(`name: timeout
seed: 1
repeats: 2
warmup: 0
kernel: synthetic
synthetic: {serial: 0s, parallel: 200ms, mode: sleep}
workers: [1, 80]
timeout: 100ms
`))
	if err != nil {
		tb.Fatal(err)
	}
	return NewPlan(c, c.Seed)
}

// TestRunnerTimeout: a trial past the timeout is cancelled and emitted as
// timed out, not as a wrong answer, and the run goes on to the end.
func TestRunnerTimeout(t *testing.T) {
	t.Parallel()
	p := timeoutPlan(t)
	refs, err := references(context.Background(), p.Config.NewKernel(), p.Ranges())
	if err != nil {
		t.Fatal(err)
	}
	var got []Trial
	sum, err := (&Runner{References: refs}).Run(context.Background(), p, p.Steps, func(tr Trial) error {
		got = append(got, tr)
		return nil
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	// On a very busy machine even an 80-worker trial can overrun 100 ms;
	// it is then timed out too, never failed.
	if sum.Trials != 4 || sum.Failed != 0 || sum.TimedOut < 2 {
		t.Errorf("Summary = %+v, want 4 trials, at least 2 timed out, none failed", sum)
	}
	for _, tr := range got {
		one := p.Cells[tr.Cell].Workers == 1
		switch {
		case one && (!tr.TimedOut || tr.OK || !strings.HasPrefix(tr.Mismatch, "timed out: ") || !strings.Contains(tr.Mismatch, "(timeout 100ms)")):
			t.Errorf("1-worker trial %+v: want timed out, not OK, with a mismatch saying so", tr)
		case one && tr.WallNS < int64(100*time.Millisecond):
			t.Errorf("1-worker trial took %v, less than the 100ms timeout", time.Duration(tr.WallNS))
		case !one && tr.OK == tr.TimedOut:
			t.Errorf("80-worker trial %+v: want a complete, correct trial (or, on a busy machine, a timed-out one)", tr)
		}
	}
	if status, msg := Conclude(sum, len(p.Steps), err); status != StatusDone || msg != "" {
		t.Errorf("Conclude = %s, %q; want done: timed-out trials are no wrong answers", status, msg)
	}
}

// TestRunnerTimeLimit: a run whose context reaches a *TimeLimit stops as
// an interrupted one, and Conclude names the limit.
func TestRunnerTimeLimit(t *testing.T) {
	t.Parallel()
	p := runnerPlan(t)
	refs := runnerRefs(t, p)
	limit := &TimeLimit{Limit: 2 * time.Hour}
	ctx, cancel := context.WithCancelCause(context.Background())
	var emitted int
	sum, err := (&Runner{References: refs}).Run(ctx, p, p.Steps, func(Trial) error {
		if emitted++; emitted == 5 {
			cancel(limit) // as context.WithTimeoutCause does when the time is up
		}
		return nil
	})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("Run = %v, want ErrInterrupted", err)
	}
	var tl *TimeLimit
	if !errors.As(err, &tl) || tl.Limit != 2*time.Hour {
		t.Fatalf("Run = %v, want it to wrap the *TimeLimit", err)
	}
	if sum.Trials != 5 || emitted != 5 {
		t.Errorf("Summary %+v, %d emitted; want 5 trials kept", sum, emitted)
	}
	status, msg := Conclude(sum, len(p.Steps), err)
	if want := "stopped after --max-duration 2h; 5 of 18 trials done"; status != StatusInterrupted || msg != want {
		t.Errorf("Conclude = %s, %q; want interrupted, %q", status, msg, want)
	}
	if status, msg := Conclude(sum, 18, fmt.Errorf("stop: %w", ErrInterrupted)); status != StatusInterrupted || msg != "interrupted after 5 of 18 trials" {
		t.Errorf("Conclude(Ctrl-C) = %s, %q", status, msg)
	}

	t.Run("DuringTheOracle", func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(limit)
		_, err := references(ctx, Primes{}, p.Ranges())
		if !errors.Is(err, ErrInterrupted) || !errors.As(err, &tl) {
			t.Errorf("References = %v, want ErrInterrupted wrapping the *TimeLimit", err)
		}
	})
}

// TestRunnerOtherCPU: each trial records the CPU other processes used, the
// machine's busy time less this process's, from Runner.SystemCPU.
func TestRunnerOtherCPU(t *testing.T) {
	t.Parallel()
	p := runnerPlan(t)
	refs := runnerRefs(t, p)
	steps := p.Steps[:4]
	t.Run("Measured", func(t *testing.T) {
		// The machine reports 10 s more busy time at each reading: far more
		// than this process burns in a trial of milliseconds.
		var busy atomic.Int64
		rn := &Runner{References: refs, SystemCPU: func() (int64, bool) { return busy.Add(int64(10 * time.Second)), true }}
		var got []Trial
		if _, err := rn.Run(context.Background(), p, steps, func(tr Trial) error { got = append(got, tr); return nil }); err != nil {
			t.Fatal(err)
		}
		for _, tr := range got {
			own := tr.UserNS + tr.SysNS
			if !tr.HasOtherCPU || tr.OtherCPUNS != int64(10*time.Second)-own {
				t.Errorf("trial %d: OtherCPUNS %d (has %v), want 10s less its own %d", tr.Seq, tr.OtherCPUNS, tr.HasOtherCPU, own)
			}
		}
	})
	t.Run("Unreadable", func(t *testing.T) {
		rn := &Runner{References: refs, SystemCPU: func() (int64, bool) { return 0, false }}
		var got []Trial
		if _, err := rn.Run(context.Background(), p, steps, func(tr Trial) error { got = append(got, tr); return nil }); err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(got, func(tr Trial) bool { return tr.HasOtherCPU || tr.OtherCPUNS != 0 }) {
			t.Errorf("trials %+v: want no other-CPU measure without /proc/stat", got)
		}
	})
}

// busyFor returns a SystemCPU that reports the machine busy, 10 s of other
// processes' CPU per reading, for the first n windows of the noise guard
// (two readings each), then idle; calls counts the readings.
func busyFor(n int) (sysCPU func() (int64, bool), calls *atomic.Int64) {
	var busy atomic.Int64
	calls = new(atomic.Int64)
	return func() (int64, bool) {
		if c := calls.Add(1); c <= int64(2*n) && c%2 == 0 {
			return busy.Add(int64(10 * time.Second)), true
		}
		return busy.Load(), true
	}, calls
}

func TestQuietWait(t *testing.T) {
	t.Parallel()
	guard := func(bound time.Duration, waits *[]float64) *Quiet {
		return &Quiet{MaxOtherCPU: 0.2, Resolution: 20 * time.Millisecond, Bound: bound, Window: 2 * time.Millisecond,
			Waiting: func(other float64, waited time.Duration) { *waits = append(*waits, other) }}
	}
	t.Run("WaitsUntilQuiet", func(t *testing.T) {
		var waits []float64
		sysCPU, calls := busyFor(3)
		waited, err := guard(time.Minute, &waits).wait(context.Background(), sysCPU)
		if err != nil || waited < 8*time.Millisecond {
			t.Errorf("wait = %v, %v; want 4 windows of 2ms, 3 busy and 1 quiet", waited, err)
		}
		// 10 s of others' CPU in a window of 2 ms (or more, on a busy machine).
		if len(waits) != 3 || calls.Load() != 8 || waits[0] < 1 {
			t.Errorf("Waiting called with %v, %d readings; want 3 busy windows, 8 readings", waits, calls.Load())
		}
	})
	t.Run("QuietAtOnce", func(t *testing.T) {
		var waits []float64
		sysCPU, _ := busyFor(0)
		if waited, err := guard(time.Minute, &waits).wait(context.Background(), sysCPU); err != nil || waited < 2*time.Millisecond || len(waits) != 0 {
			t.Errorf("wait = %v, %v, waiting %v; want one window", waited, err, waits)
		}
	})
	t.Run("GivesUpAtTheBound", func(t *testing.T) {
		var waits []float64
		sysCPU, _ := busyFor(1 << 30)
		waited, err := guard(30*time.Millisecond, &waits).wait(context.Background(), sysCPU)
		if err != nil || waited < 30*time.Millisecond || len(waits) == 0 {
			t.Errorf("wait = %v, %v after %d busy windows; want the 30ms bound", waited, err, len(waits))
		}
	})
	t.Run("Unreadable", func(t *testing.T) {
		var waits []float64
		waited, err := guard(time.Minute, &waits).wait(context.Background(), func() (int64, bool) { return 0, false })
		if err != nil || waited >= 2*time.Millisecond || len(waits) != 0 {
			t.Errorf("wait = %v, %v; want no wait without /proc/stat", waited, err)
		}
	})
	t.Run("ErrInterrupted", func(t *testing.T) {
		var waits []float64
		ctx, cancel := context.WithCancel(context.Background())
		sysCPU, _ := busyFor(1 << 30)
		g := guard(time.Hour, &waits)
		g.Waiting = func(float64, time.Duration) { cancel() }
		if _, err := g.wait(ctx, sysCPU); !errors.Is(err, ErrInterrupted) {
			t.Errorf("wait = %v, want ErrInterrupted", err)
		}
	})
}

// TestRunnerQuiet: with a noise guard every trial records its wait, and
// the Summary adds them up.
func TestRunnerQuiet(t *testing.T) {
	t.Parallel()
	p := runnerPlan(t)
	sysCPU, _ := busyFor(2) // the first trial waits 3 windows, the others 1
	rn := &Runner{References: runnerRefs(t, p), SystemCPU: sysCPU,
		Quiet: &Quiet{MaxOtherCPU: 0.2, Resolution: 20 * time.Millisecond, Bound: time.Minute, Window: 5 * time.Millisecond}}
	var got []Trial
	sum, err := rn.Run(context.Background(), p, p.Steps[:3], func(tr Trial) error { got = append(got, tr); return nil })
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for i, tr := range got {
		min := 5 * time.Millisecond
		if i == 0 {
			min = 15 * time.Millisecond
		}
		if !tr.HasQuietWait || time.Duration(tr.QuietWaitNS) < min {
			t.Errorf("trial %d waited %v (has %v), want at least %v", i, time.Duration(tr.QuietWaitNS), tr.HasQuietWait, min)
		}
		total += tr.QuietWaitNS
	}
	if sum.QuietWaitNS != total {
		t.Errorf("Summary.QuietWaitNS = %d, want the trials' sum %d", sum.QuietWaitNS, total)
	}
	// Without a guard no trial says it waited.
	got = nil
	if _, err := (&Runner{References: rn.References}).Run(context.Background(), p, p.Steps[:1], func(tr Trial) error { got = append(got, tr); return nil }); err != nil || got[0].HasQuietWait {
		t.Errorf("trial without a guard: %+v, %v", got, err)
	}
}

// TestReferencesProgress: the oracle reports numbers checked of the total
// of the distinct ranges, ending at the total.
func TestReferencesProgress(t *testing.T) {
	t.Parallel()
	big := Range{Start: 1_000_000, Count: 3*OracleProgressEvery + 5}
	ranges := []Range{runnerRange, big, runnerRange}
	var calls [][2]uint64
	refs, err := ReferencesProgress(context.Background(), Primes{}, ranges, func(done, total uint64) { calls = append(calls, [2]uint64{done, total}) })
	if err != nil || len(refs) != 2 {
		t.Fatalf("ReferencesProgress = %v, %v", refs, err)
	}
	total := runnerRange.Count + big.Count
	want := [][2]uint64{{200, total}, {200 + OracleProgressEvery, total}, {200 + 2*OracleProgressEvery, total}, {200 + 3*OracleProgressEvery, total}, {total, total}}
	if !slices.Equal(calls, want) {
		t.Errorf("progress calls %v, want %v", calls, want)
	}
	t.Run("NoOracle", func(t *testing.T) {
		calls = nil
		refs, err := ReferencesProgress(context.Background(), noOracle{}, ranges, func(done, total uint64) { calls = append(calls, [2]uint64{done, total}) })
		if err != nil || len(refs) != 0 || len(calls) != 0 {
			t.Errorf("ReferencesProgress(no oracle) = %v, %v, progress %v; want nothing", refs, err, calls)
		}
	})
}

// noOracle is a kernel without an oracle.
type noOracle struct{}

func (noOracle) Name() string      { return "no-oracle" }
func (noOracle) Hit(x uint64) bool { return x%2 == 0 }

func TestEstimatePlan(t *testing.T) {
	t.Parallel()
	t.Run("Synthetic", func(t *testing.T) {
		c, err := Parse("s.yaml", []byte("name: s\nseed: 1\nrepeats: 2\nwarmup: 1\nkernel: synthetic\n"+
			"synthetic: {serial: 10ms, parallel: 90ms, mode: sleep}\nworkers: [1, 3]\n"))
		if err != nil {
			t.Fatal(err)
		}
		e, err := EstimatePlan(context.Background(), NewPlan(c, 1), 2, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		// Sleeping workers overlap whatever the CPUs: 10+90 and 10+30 ms.
		want := []time.Duration{100 * time.Millisecond, 40 * time.Millisecond}
		if !slices.Equal(e.PerCell, want) || e.Sampled != 0 {
			t.Errorf("PerCell = %v (sampled %d), want %v from the file", e.PerCell, e.Sampled, want)
		}
		if total := 3*(100+40)*time.Millisecond + 6*TrialOverhead; e.Trials != total || e.Total() != e.Oracle+total {
			t.Errorf("Trials = %v, Total = %v; want %v of trials", e.Trials, e.Total(), total)
		}
	})
	t.Run("SpinTimeout", func(t *testing.T) {
		c, err := Parse("s.yaml", []byte("name: s\nseed: 1\nrepeats: 1\nwarmup: 0\nkernel: synthetic\n"+
			"synthetic: {serial: 0s, parallel: 400ms, mode: spin}\nworkers: [1, 4]\ntimeout: 300ms\n"))
		if err != nil {
			t.Fatal(err)
		}
		e, err := EstimatePlan(context.Background(), NewPlan(c, 1), 2, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		// 1 worker: 400 ms, cut at the 300 ms timeout; 4 spinning workers on 2 CPUs: 200 ms.
		if want := []time.Duration{300 * time.Millisecond, 200 * time.Millisecond}; !slices.Equal(e.PerCell, want) {
			t.Errorf("PerCell = %v, want %v", e.PerCell, want)
		}
	})
	t.Run("Primes", func(t *testing.T) {
		p := runnerPlan(t) // [1e13, +200), workers 1 and 2, 3 schedules
		e, err := EstimatePlan(context.Background(), p, 2, 50*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if e.Sampled != 200 || e.Oracle <= 0 {
			t.Errorf("sampled %d numbers, oracle %v; want all 200 and a positive time", e.Sampled, e.Oracle)
		}
		for i, c := range p.Cells {
			if e.PerCell[i] <= 0 {
				t.Errorf("cell %d: %v, want a positive time", i, e.PerCell[i])
			}
			// Two workers on two CPUs halve the work (both from the same timing).
			if c.Workers == 2 && e.PerCell[i] != e.PerCell[i-1]/2 {
				t.Errorf("cell %d (2 workers) %v, want half of %v", i, e.PerCell[i], e.PerCell[i-1])
			}
		}
	})
	t.Run("ErrInterrupted", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := EstimatePlan(ctx, runnerPlan(t), 2, time.Second); !errors.Is(err, ErrInterrupted) {
			t.Errorf("EstimatePlan(cancelled) = %v, want ErrInterrupted", err)
		}
	})
}

// slowKernel takes 30 ms per number and ignores cancellation, as a kernel
// whose one item outlasts the timeout does.
type slowKernel struct{ Primes }

func (slowKernel) Hit(x uint64) bool { time.Sleep(30 * time.Millisecond); return IsPrime(x) }

// TestRunnerTimeoutAfterLastItem: a trial whose cancellation arrives only
// after its last item is still past the timeout, so it is timed out.
func TestRunnerTimeoutAfterLastItem(t *testing.T) {
	t.Parallel()
	c := &Config{Name: "slow", Repeats: 1, Kernel: "primes", Ranges: []Range{{Start: 2, Count: 1}},
		Schedules: []Schedule{PerItem}, Workers: []int{1}, Chunk: 1, Timeout: time.Millisecond}
	p := NewPlan(c, 1)
	var got []Trial
	sum, err := (&Runner{Kernel: slowKernel{}}).Run(context.Background(), p, p.Steps, func(tr Trial) error { got = append(got, tr); return nil })
	if err != nil || sum.TimedOut != 1 || sum.Failed != 0 {
		t.Fatalf("Run = %+v, %v; want 1 timed out", sum, err)
	}
	if tr := got[0]; !tr.TimedOut || tr.OK || !strings.HasPrefix(tr.Mismatch, "timed out: took ") || !strings.HasSuffix(tr.Mismatch, "(timeout 1ms); the work ended only after the limit") {
		t.Errorf("trial %+v: want timed out, saying its items were done after the limit", tr)
	}
}
