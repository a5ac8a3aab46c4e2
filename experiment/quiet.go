package experiment

import (
	"cmp"
	"context"
	"time"

	"github.com/exp-tool/exp/host"
)

// DefaultQuietWindow is how long the noise guard (Quiet) watches the
// machine at a time: long enough that /proc/stat's 10 ms ticks weigh
// little, short enough to add little to a run.
var DefaultQuietWindow = 200 * time.Millisecond

// Quiet is the noise guard of exp run --quiet-machine. Before each trial
// the Runner watches the machine for a Window and starts the trial as soon
// as other processes kept at most MaxOtherCPU CPUs busy in it (allowing
// Resolution for the counters' rounding), or once Bound has passed; the
// time it waited is the trial's QuietWaitNS. Every trial waits at least one
// window.
type Quiet struct {
	MaxOtherCPU float64       // CPUs other processes may keep busy, on average over a window, for the machine to be quiet (0.2 = 20% of one CPU)
	Resolution  time.Duration // CPU time allowed beyond MaxOtherCPU x window for the error of two /proc/stat readings
	Bound       time.Duration // longest wait before one trial, > 0; the trial then runs anyway
	Window      time.Duration // length of one look at the machine; DefaultQuietWindow if 0
	// Waiting, if set, is called after each window that found the machine
	// busy, with the CPUs other processes kept busy in it and how long the
	// trial has waited so far: for progress.
	Waiting func(otherCPUs float64, waited time.Duration)
}

// wait blocks until the machine is quiet or q.Bound has passed, reading
// the machine's busy time with sysCPU, and returns how long it waited. It
// returns at once, having waited 0, if sysCPU cannot read it, and
// ErrInterrupted (see stopped) if ctx is done first.
func (q *Quiet) wait(ctx context.Context, sysCPU func() (int64, bool)) (time.Duration, error) {
	window := cmp.Or(q.Window, DefaultQuietWindow)
	start := time.Now()
	for {
		busy0, ok := sysCPU()
		if !ok {
			return time.Since(start), nil
		}
		u0, s0 := host.CPUTimes()
		t0 := time.Now()
		timer := time.NewTimer(max(min(window, q.Bound-time.Since(start)), time.Millisecond))
		select {
		case <-ctx.Done():
			timer.Stop()
			return time.Since(start), stopped(ctx)
		case <-timer.C:
		}
		u1, s1 := host.CPUTimes()
		busy1, ok := sysCPU()
		span, waited := time.Since(t0), time.Since(start)
		if !ok {
			return waited, nil
		}
		other := host.OtherCPU(busy0, busy1, u0+s0, u1+s1)
		if float64(other) <= q.MaxOtherCPU*float64(span)+float64(q.Resolution) || waited >= q.Bound {
			return waited, nil
		}
		if q.Waiting != nil {
			q.Waiting(float64(other)/float64(span), waited)
		}
	}
}
