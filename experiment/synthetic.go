package experiment

import (
	"context"
	"fmt"
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
	s.work(context.Background(), SyntheticUnit)
	return false
}

// OracleHit reports false: the synthetic kernel's answer is the empty set,
// so every correct trial has the empty digest.
func (Synthetic) OracleHit(uint64) bool { return false }

// Block does n units of work in one call (one timer for sleep, one spin for
// spin) and finds no hits. It returns done = 0 if ctx is cancelled before
// the work is over.
func (s Synthetic) Block(ctx context.Context, _, n uint64, dst []uint64) (uint64, []uint64) {
	if !s.work(ctx, time.Duration(n)*SyntheticUnit) {
		return 0, dst
	}
	return n, dst
}

// RunSerial does the serial part once, in the calling goroutine.
func (s Synthetic) RunSerial(ctx context.Context) error {
	if !s.work(ctx, s.Serial) {
		return ErrInterrupted
	}
	return nil
}

// Check is the synthetic kernel's answer check, "the work adds up": the
// serial part ran once and for at least Serial; the workers did r.Count
// units between them (each unit once, as Verify also checks); and each
// worker was busy for at least its share, Items x SyntheticUnit, since a
// sleep or a spin of d cannot finish in less than d of wall time.
func (s Synthetic) Check(o Outcome, r Range) error {
	var problems []string
	if o.SerialRuns != 1 {
		problems = append(problems, fmt.Sprintf("the serial part ran %d times (want once)", o.SerialRuns))
	} else if o.SerialNS < int64(s.Serial) {
		problems = append(problems, fmt.Sprintf("the serial part took %v, less than its %v", time.Duration(o.SerialNS), s.Serial))
	}
	var items uint64
	early, first := 0, ""
	for i, w := range o.Workers {
		items += w.Items
		// BusyNS >= Items*1000, without overflowing for absurd Items.
		if w.BusyNS < 0 || uint64(w.BusyNS)/uint64(SyntheticUnit) < w.Items {
			if early == 0 {
				first = fmt.Sprintf("worker %d was busy %v for a share of %d units of %v", i, time.Duration(w.BusyNS), w.Items, SyntheticUnit)
			}
			early++
		}
	}
	switch {
	case early == 1:
		problems = append(problems, first+" (a sleep or spin cannot finish early)")
	case early > 1:
		problems = append(problems, fmt.Sprintf("%s, and %d more workers finished early (a sleep or spin cannot)", first, early-1))
	}
	if items != r.Count {
		problems = append(problems, fmt.Sprintf("workers did %d units but the work has %d", items, r.Count))
	}
	if len(problems) > 0 {
		return fmt.Errorf("the work does not add up: %s", strings.Join(problems, "; "))
	}
	return nil
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
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func modeList() string {
	s := make([]string, len(SyntheticModes))
	for i, m := range SyntheticModes {
		s[i] = string(m)
	}
	return strings.Join(s, ", ")
}
