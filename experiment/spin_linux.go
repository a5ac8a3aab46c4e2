//go:build linux

package experiment

import (
	"context"
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// spin burns d of the calling thread's CPU time: it locks the goroutine to
// its OS thread and loops until the thread's CPU clock
// (CLOCK_THREAD_CPUTIME_ID), polled every spinBatch iterations, has
// advanced by d. Unlike a loop until a wall-clock deadline, this is a fixed
// amount of CPU work, so workers beyond the CPU count cannot fake a
// speedup: a descheduled thread's clock stands still. It returns false if
// ctx is cancelled first. If the thread clock cannot be read it falls back
// to spinning a calibrated number of iterations (spinCalibrated).
func spin(ctx context.Context, d time.Duration) bool {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start, ok := threadCPU()
	if !ok {
		return spinCalibrated(ctx, d)
	}
	done := ctx.Done()
	var x uint64 = 1
	for {
		x = burn(x, spinBatch)
		if now, _ := threadCPU(); now-start >= d {
			spinSink.Store(x)
			return true
		}
		select {
		case <-done:
			return false
		default:
		}
	}
}

// threadCPU returns the calling thread's CPU time (user and system).
func threadCPU() (time.Duration, bool) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}
