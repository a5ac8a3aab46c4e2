package experiment

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// spinBatch is how many iterations spin runs between looks at the clock:
// a few microseconds of work, so a spin overshoots by about that much.
const spinBatch = 4096

// spinSink keeps the compiler from deleting the spin loops.
var spinSink atomic.Uint64

// burn runs n rounds of xorshift64 on x and returns the result: pure CPU
// work, no memory traffic.
func burn(x uint64, n int) uint64 {
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

// itersPerMicrosecond is how many burn iterations one microsecond of CPU
// holds, measured once on the wall clock (best of 5 runs of 2^20
// iterations, so that a preempted run does not count).
var itersPerMicrosecond = sync.OnceValue(func() float64 {
	best := time.Duration(1 << 62)
	var x uint64 = 1
	for range 5 {
		t0 := time.Now()
		x = burn(x, 1<<20)
		best = min(best, max(time.Since(t0), time.Nanosecond))
	}
	spinSink.Store(x)
	return float64(1<<20) / (float64(best) / float64(time.Microsecond))
})

// spinCalibrated burns about d of CPU time as a fixed number of
// iterations, d x itersPerMicrosecond, checking ctx every spinBatch. It
// returns false if ctx is cancelled first.
func spinCalibrated(ctx context.Context, d time.Duration) bool {
	n := int64(float64(d) / float64(time.Microsecond) * itersPerMicrosecond())
	done := ctx.Done()
	var x uint64 = 1
	for ; n > 0; n -= spinBatch {
		x = burn(x, spinBatch)
		select {
		case <-done:
			return false
		default:
		}
	}
	spinSink.Store(x)
	return true
}
