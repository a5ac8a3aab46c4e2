package experiment

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"
)

// SyntheticMode is how the synthetic kernel spends its time.
type SyntheticMode string

// The synthetic kernel's modes.
const (
	// ModeSleep waits (a timer, like time.Sleep): the worker holds no CPU,
	// as in I/O, so more workers than CPUs keep speeding the work up.
	// Concurrency without parallelism.
	ModeSleep SyntheticMode = "sleep"
	// ModeSpin burns CPU: each unit is a microsecond of the worker thread's
	// CPU time, so the work stops speeding up at the CPU count.
	ModeSpin SyntheticMode = "spin"
)

// SyntheticModes lists the modes in documentation order.
var SyntheticModes = []SyntheticMode{ModeSleep, ModeSpin}

// SyntheticUnit is the work one item of the synthetic kernel stands for.
// A synthetic experiment's single range is Range{Start: 0, Count: Parallel
// in units}, so cells, schedules, the store and the report treat it like a
// range of numbers.
const SyntheticUnit = time.Microsecond

// Synthetic is a kernel with a known serial fraction, B = Serial /
// (Serial + Parallel) (Amdahl 1967): each trial does Serial once, then the
// workers share Parallel, each doing its share in one call (see Block).
// It finds no hits, so its oracle answer is the empty digest, and its own
// check (Check) is that the work adds up.
type Synthetic struct {
	Serial   time.Duration // serial part of each trial, whole microseconds, >= 0
	Parallel time.Duration // parallel part as written in the file, whole microseconds, > 0 (under weak scaling, per worker)
	Mode     SyntheticMode // sleep or spin
	// ProcessJitter is synthetic.process_jitter, j, a fraction from 0 to
	// MaxProcessJitter: each exp process running trials (each invocation
	// of Config.Invocations) stretches every duration by its own known
	// factor 1 + j z_K (ProcessFactor), a stand-in for what differs
	// between processes (memory layout, page placement, CPU frequency).
	ProcessJitter float64
	// Scale is this process's factor, ProcessFactor(seed, invocation, j)
	// (InProcess); every serial and parallel duration is multiplied by it.
	// 0 means 1: no jitter.
	Scale float64
}

// MaxProcessJitter bounds synthetic.process_jitter (20%): the factor
// 1 + j z stays positive unless z < -5, which happens once in 3.5 million.
const MaxProcessJitter = 0.2

// ProcessOffset is z_K, the standard normal draw of invocation k of a run
// with seed seed: a PCG generator seeded by (seed, k) gives it, so that
// every process, and a test, computes the same value.
func ProcessOffset(seed int64, k int) float64 {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6a69747465720000^uint64(k))) // "jitter"
	return rng.NormFloat64()
}

// ProcessFactor is the factor 1 + j z_K (ProcessOffset) by which
// invocation k of a run with seed seed stretches the synthetic kernel's
// durations, j the process jitter; at least 0.01, so that no duration
// turns negative.
func ProcessFactor(seed int64, k int, j float64) float64 {
	if j == 0 {
		return 1
	}
	return max(1+j*ProcessOffset(seed, k), 0.01)
}

// InProcess returns s as invocation k of a run with seed seed runs it:
// with Scale set to ProcessFactor(seed, k, s.ProcessJitter).
func (s Synthetic) InProcess(seed int64, k int) Synthetic {
	s.Scale = ProcessFactor(seed, k, s.ProcessJitter)
	return s
}

// KernelInProcess is k as invocation inv of a run with seed seed runs it:
// the synthetic kernel with its process factor (Synthetic.InProcess); any
// other kernel unchanged.
func KernelInProcess(k Kernel, seed int64, inv int) Kernel {
	if s, ok := k.(Synthetic); ok {
		return s.InProcess(seed, inv)
	}
	return k
}

// scaled is d stretched by the process factor Scale.
func (s Synthetic) scaled(d time.Duration) time.Duration {
	if s.Scale == 0 || s.Scale == 1 {
		return d
	}
	return time.Duration(math.Round(float64(d) * s.Scale))
}

// newSynthetic is the Kernels constructor: c's Synthetic settings, or nil.
func newSynthetic(c *Config) Kernel {
	if c.Synthetic == nil {
		return nil
	}
	return *c.Synthetic
}

// Name returns "synthetic".
func (Synthetic) Name() string { return "synthetic" }

// String describes the settings, such as "sleep: serial 10ms, parallel 90ms".
func (s Synthetic) String() string {
	return fmt.Sprintf("%s: serial %v, parallel %v", s.Mode, s.Serial, s.Parallel)
}

// Hit does one unit of work and reports false: the synthetic kernel has no
// answer set. Schedules that hand out blocks call Block instead.
func (s Synthetic) Hit(uint64) bool {
	s.work(context.Background(), s.scaled(SyntheticUnit))
	return false
}

// OracleHit reports false: the synthetic kernel's answer is the empty set,
// so every correct trial has the empty digest.
func (Synthetic) OracleHit(uint64) bool { return false }

// Block does n units of work in one call and finds no hits. In spin mode
// it burns n units of CPU time. In sleep mode it waits until n units after
// the end of the serial part on the trial's timeline (TrialStart + Serial),
// so that the time a worker takes to start is not added to its share: the
// trial then lasts Serial + the largest share, as B = Serial/(Serial +
// Parallel) assumes, to within the few tens of microseconds it takes to
// start and join the workers. It returns done = 0 if ctx is cancelled
// before the work is over.
func (s Synthetic) Block(ctx context.Context, _, n uint64, dst []uint64) (uint64, []uint64) {
	d := time.Duration(n) * SyntheticUnit
	ok := false
	if start, timed := TrialStart(ctx); timed && s.Mode == ModeSleep {
		ok = waitUntil(ctx, start.Add(s.scaled(s.Serial+d)))
	} else {
		ok = s.work(ctx, s.scaled(d))
	}
	if !ok {
		return 0, dst
	}
	return n, dst
}

// RunSerial does the serial part once, in the calling goroutine; in sleep
// mode it ends Serial after TrialStart.
func (s Synthetic) RunSerial(ctx context.Context) error {
	ok := false
	if start, timed := TrialStart(ctx); timed && s.Mode == ModeSleep {
		ok = waitUntil(ctx, start.Add(s.scaled(s.Serial)))
	} else {
		ok = s.work(ctx, s.scaled(s.Serial))
	}
	if !ok {
		return ErrInterrupted
	}
	return nil
}

// Check is the synthetic kernel's answer check, "the work adds up": the
// serial part ran once and for at least Serial; the workers did r.Count
// units between them (each unit once, as Verify also checks); each worker
// did its share, since no wait or spin ends early: in spin mode it was busy
// for at least Items x SyntheticUnit, in sleep mode it ended no sooner than
// Serial + Items x SyntheticUnit after the trial began; and the whole
// execution lasted at least Serial plus the largest share.
func (s Synthetic) Check(o Outcome, r Range) error {
	var problems []string
	if o.SerialRuns != 1 {
		problems = append(problems, fmt.Sprintf("the serial part ran %d times (want once)", o.SerialRuns))
	} else if o.SerialNS < int64(s.scaled(s.Serial)) {
		problems = append(problems, fmt.Sprintf("the serial part took %v, less than its %v", time.Duration(o.SerialNS), s.scaled(s.Serial)))
	}
	var items, largest uint64
	early, first := 0, ""
	for i, w := range o.Workers {
		items += w.Items
		largest = max(largest, w.Items)
		share := s.scaled(units(w.Items))
		switch {
		case s.Mode == ModeSpin && (w.BusyNS < 0 || time.Duration(w.BusyNS) < share):
			if early == 0 {
				first = fmt.Sprintf("worker %d was busy %v for a share of %d units of %v", i, time.Duration(w.BusyNS), w.Items, SyntheticUnit)
			}
			early++
		case s.Mode == ModeSleep && w.Items > 0 && time.Duration(w.EndNS) < s.scaled(s.Serial+units(w.Items)):
			if early == 0 {
				first = fmt.Sprintf("worker %d ended %v into the trial, before its share of %d units of %v ended at %v",
					i, time.Duration(w.EndNS), w.Items, SyntheticUnit, s.scaled(s.Serial+units(w.Items)))
			}
			early++
		}
	}
	switch {
	case early == 1:
		problems = append(problems, first+" (a wait or spin cannot finish early)")
	case early > 1:
		problems = append(problems, fmt.Sprintf("%s, and %d more workers finished early (a wait or spin cannot)", first, early-1))
	}
	if items != r.Count {
		problems = append(problems, fmt.Sprintf("workers did %d units but the work has %d", items, r.Count))
	}
	if least := s.scaled(s.Serial + units(largest)); o.TotalNS < int64(least) {
		problems = append(problems, fmt.Sprintf("the trial took %v, less than the serial part and the largest share, %v", time.Duration(o.TotalNS), least))
	}
	if len(problems) > 0 {
		return fmt.Errorf("the work does not add up: %s", strings.Join(problems, "; "))
	}
	return nil
}

// units is the duration of n units of work, saturating instead of
// overflowing for absurd n.
func units(n uint64) time.Duration {
	return time.Duration(min(n, uint64(math.MaxInt64/int64(SyntheticUnit)))) * SyntheticUnit
}

// work spends d as the mode says. It returns false if ctx was cancelled
// before d was spent.
func (s Synthetic) work(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	if s.Mode == ModeSpin {
		return spin(ctx, d)
	}
	return wait(ctx, d)
}

// TimerSlack is how early wait's timer fires before the deadline. Go's
// timers fire 0.15–0.25 ms late here; a constant lateness in every sleep
// would read as serial time (B = 0.11 for a true 0.10), so wait sleeps
// until TimerSlack before the deadline and then yields until it.
const TimerSlack = 2 * time.Millisecond

// wait blocks for d without holding a CPU for all but the last TimerSlack,
// where it yields the processor in a loop until the deadline, so that its
// end is exact to a few microseconds. It returns false if ctx was cancelled
// first.
func wait(ctx context.Context, d time.Duration) bool {
	return waitUntil(ctx, time.Now().Add(d))
}

// waitUntil is wait with an end time.
func waitUntil(ctx context.Context, deadline time.Time) bool {
	if d := time.Until(deadline); d > TimerSlack {
		t := time.NewTimer(d - TimerSlack)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return false
		}
	}
	done := ctx.Done()
	for time.Now().Before(deadline) {
		// A non-blocking receive, not ctx.Err(), which takes a mutex that
		// many waiting workers would contend for.
		select {
		case <-done:
			return false
		default:
		}
		runtime.Gosched()
	}
	return true
}

func modeList() string {
	s := make([]string, len(SyntheticModes))
	for i, m := range SyntheticModes {
		s[i] = string(m)
	}
	return strings.Join(s, ", ")
}
