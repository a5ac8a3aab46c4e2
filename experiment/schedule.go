package experiment

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Schedule is how a range is split among workers.
type Schedule string

// The schedules. Each worker is a goroutine.
const (
	// PerItem sends every number to the workers through a channel as its own
	// task and gathers each result through another, like the seed program's
	// executor.submit per number with as_completed.
	PerItem Schedule = "per-item"
	// Chunked lets workers claim the next Chunk numbers until none are left:
	// dynamic load balancing at a chosen granularity.
	Chunked Schedule = "chunked"
	// Static gives each worker one contiguous block of near-equal size up front.
	Static Schedule = "static"
)

// Schedules lists every schedule in documentation order.
var Schedules = []Schedule{PerItem, Chunked, Static}

func scheduleList() string {
	s := make([]string, len(Schedules))
	for i, sc := range Schedules {
		s[i] = string(sc)
	}
	return strings.Join(s, ", ")
}

// WorkerStat is what one worker did in one trial.
type WorkerStat struct {
	BusyNS int64  // time spent inside the kernel, nanoseconds (excludes waiting for work)
	Items  uint64 // numbers this worker tested
	Hits   uint64 // numbers this worker found to be hits
	// EndNS is when the worker last finished a block or number, nanoseconds
	// after Execute started the trial; kept for the kernel's own Check,
	// not stored.
	EndNS int64
}

// Outcome is the result of executing one trial's work.
type Outcome struct {
	Hits       []uint64     // every hit, unordered: per-item in completion order, other schedules grouped by worker
	Workers    []WorkerStat // one entry per worker, by worker index
	SerialRuns int          // times the kernel's serial part ran: 1 for a SerialKernel, else 0
	SerialNS   int64        // wall time of the serial part, nanoseconds; 0 without one
	TotalNS    int64        // wall time of the whole execution, serial part and workers, nanoseconds
}

// startKey is the context key of the time Execute started a trial.
type startKey struct{}

// TrialStart returns the time Execute started the trial that ctx belongs
// to, so that a kernel can lay out its work on the trial's timeline; ok is
// false outside Execute.
func TrialStart(ctx context.Context) (t time.Time, ok bool) {
	t, ok = ctx.Value(startKey{}).(time.Time)
	return t, ok
}

// Execute runs kernel k over r with the given number of workers and schedule.
// chunk is the chunk size for Chunked and ignored otherwise. If k is a
// SerialKernel, Execute first runs its serial part once on the calling
// goroutine and times it. If ctx is cancelled the workers stop at the next
// number (or block) and Execute returns ErrInterrupted, unless every number
// had already been tested.
func Execute(ctx context.Context, k Kernel, r Range, workers int, s Schedule, chunk uint64) (Outcome, error) {
	if workers < 1 {
		return Outcome{}, fmt.Errorf("workers must be >= 1, got %d", workers)
	}
	if !slices.Contains(Schedules, s) {
		return Outcome{}, fmt.Errorf("unknown schedule %q (allowed: %s)", s, scheduleList())
	}
	out := Outcome{Workers: make([]WorkerStat, workers)}
	begin := time.Now()
	ctx = context.WithValue(ctx, startKey{}, begin)
	if sk, ok := k.(SerialKernel); ok {
		err := sk.RunSerial(ctx)
		out.SerialNS, out.SerialRuns = int64(time.Since(begin)), 1
		if errors.Is(err, ErrInterrupted) {
			return out, ErrInterrupted
		}
		if err != nil {
			return out, fmt.Errorf("serial part: %w", err)
		}
	}
	var stop atomic.Bool
	defer context.AfterFunc(ctx, func() { stop.Store(true) })()
	switch s {
	case PerItem:
		out.Hits = perItem(k, r, out.Workers, &stop)
	case Chunked:
		out.Hits = chunked(ctx, k, r, out.Workers, max(chunk, 1), &stop)
	case Static:
		out.Hits = static(ctx, k, r, out.Workers, &stop)
	default:
		return out, fmt.Errorf("unknown schedule %q (allowed: %s)", s, scheduleList())
	}
	out.TotalNS = int64(time.Since(begin))
	// A cancellation that arrives after the last number still leaves a
	// complete trial.
	var items uint64
	for _, w := range out.Workers {
		items += w.Items
	}
	// The AfterFunc that sets stop runs in its own goroutine: a worker can
	// see the cancellation first, so ask the context too.
	if (stop.Load() || ctx.Err() != nil) && items < r.Count {
		return out, ErrInterrupted
	}
	return out, nil
}

// scan tests the numbers r.Start+lo .. r.Start+hi-1, appending hits to dst and
// adding to st. A BlockKernel does them in one call; other kernels one Hit
// per number. It returns early if stop is set (or, for a block, ctx is
// cancelled).
func scan(ctx context.Context, k Kernel, r Range, lo, hi uint64, st *WorkerStat, dst []uint64, stop *atomic.Bool) []uint64 {
	t0 := time.Now()
	n0 := len(dst)
	i := lo
	if bk, ok := k.(BlockKernel); ok {
		if lo < hi && !stop.Load() {
			var done uint64
			done, dst = bk.Block(ctx, r.Start+lo, hi-lo, dst)
			i += done
		}
	} else {
		for ; i < hi && !stop.Load(); i++ {
			if x := r.Start + i; k.Hit(x) {
				dst = append(dst, x)
			}
		}
	}
	st.BusyNS += int64(time.Since(t0))
	if start, ok := TrialStart(ctx); ok {
		st.EndNS = int64(time.Since(start))
	}
	st.Items += i - lo
	st.Hits += uint64(len(dst) - n0)
	return dst
}

type itemResult struct {
	x   uint64
	hit bool
}

func perItem(k Kernel, r Range, stats []WorkerStat, stop *atomic.Bool) []uint64 {
	jobs := make(chan uint64)
	results := make(chan itemResult, len(stats))
	go func() {
		defer close(jobs)
		for i := uint64(0); i < r.Count && !stop.Load(); i++ {
			jobs <- r.Start + i
		}
	}()
	var wg sync.WaitGroup
	for w := range stats {
		wg.Go(func() {
			st := &stats[w]
			for x := range jobs {
				t0 := time.Now()
				hit := k.Hit(x)
				st.BusyNS += int64(time.Since(t0))
				st.Items++
				if hit {
					st.Hits++
				}
				results <- itemResult{x, hit}
			}
		})
	}
	go func() { wg.Wait(); close(results) }()
	var hits []uint64
	for res := range results {
		if res.hit {
			hits = append(hits, res.x)
		}
	}
	return hits
}

func chunked(ctx context.Context, k Kernel, r Range, stats []WorkerStat, chunk uint64, stop *atomic.Bool) []uint64 {
	var next atomic.Uint64
	local := make([][]uint64, len(stats))
	var wg sync.WaitGroup
	for w := range stats {
		wg.Go(func() {
			for !stop.Load() {
				lo := next.Load()
				if lo >= r.Count {
					return
				}
				hi := lo + min(chunk, r.Count-lo)
				if !next.CompareAndSwap(lo, hi) {
					continue
				}
				local[w] = scan(ctx, k, r, lo, hi, &stats[w], local[w], stop)
			}
		})
	}
	wg.Wait()
	return concat(local)
}

func static(ctx context.Context, k Kernel, r Range, stats []WorkerStat, stop *atomic.Bool) []uint64 {
	n := uint64(len(stats))
	q, rem := r.Count/n, r.Count%n
	local := make([][]uint64, len(stats))
	var wg sync.WaitGroup
	for w := range stats {
		wu := uint64(w)
		lo := wu*q + min(wu, rem)
		hi := lo + q
		if wu < rem {
			hi++
		}
		wg.Go(func() { local[w] = scan(ctx, k, r, lo, hi, &stats[w], nil, stop) })
	}
	wg.Wait()
	return concat(local)
}

func concat(parts [][]uint64) []uint64 {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]uint64, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
