package experiment

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// funcKernel is a Kernel without an oracle, for tests.
type funcKernel struct {
	name string
	hit  func(x uint64) bool
}

func (k funcKernel) Name() string      { return k.name }
func (k funcKernel) Hit(x uint64) bool { return k.hit(x) }

// oracleDigest returns the oracle's digest of the primes in r.
func oracleDigest(tb testing.TB, r Range) Digest {
	tb.Helper()
	d, ok, err := oracleDigestStop(Primes{}, r, nil)
	if err != nil || !ok {
		tb.Fatalf("oracleDigest(%s) = %v, %v", r, ok, err)
	}
	return d
}

// execute runs Execute with the primes kernel and fails on any error.
func execute(tb testing.TB, s Schedule, r Range, workers int, chunk uint64) Outcome {
	tb.Helper()
	out, err := Execute(context.Background(), Primes{}, r, workers, s, chunk)
	if err != nil {
		tb.Fatalf("Execute(%s, %s, %d workers, chunk %d): %v", s, r, workers, chunk, err)
	}
	return out
}

// checkOutcome fails unless out is a complete, consistent answer for r
// equal to want.
func checkOutcome(tb testing.TB, out Outcome, r Range, workers int, want Digest) {
	tb.Helper()
	if len(out.Workers) != workers {
		tb.Fatalf("%d worker stats, want %d", len(out.Workers), workers)
	}
	var items, hits uint64
	for w, st := range out.Workers {
		if st.BusyNS < 0 || st.Hits > st.Items {
			tb.Errorf("worker %d: %+v", w, st)
		}
		items += st.Items
		hits += st.Hits
	}
	if items != r.Count {
		tb.Errorf("workers tested %d numbers, want %d", items, r.Count)
	}
	if hits != want.Hits || uint64(len(out.Hits)) != want.Hits {
		tb.Errorf("workers counted %d hits and reported %d, want %d", hits, len(out.Hits), want.Hits)
	}
	for _, x := range out.Hits {
		if x < r.Start || x > r.Last() {
			tb.Errorf("hit %d outside %s", x, r)
		}
	}
	if got := DigestOf(out.Hits); got != want {
		tb.Errorf("digest %+v, want %+v", got, want)
	}
}

func TestExecuteSchedulesAgree(t *testing.T) {
	t.Parallel()
	ranges := []struct {
		name string
		r    Range
	}{
		{"CountOne", Range{Start: 7, Count: 1}},
		{"CountOneNoHit", Range{Start: 8, Count: 1}},
		{"FewerThanWorkers", Range{Start: 2, Count: 5}},
		{"Below100", Range{Start: 0, Count: 100}},
		{"Across2^32", Range{Start: 1<<32 - 50, Count: 100}},
		{"SeedRange", seedRange},
	}
	for _, rr := range ranges {
		t.Run(rr.name, func(t *testing.T) {
			t.Parallel()
			want := oracleDigest(t, rr.r)
			for _, s := range Schedules {
				chunks := []uint64{0, 1000} // ignored
				if s == Chunked {
					chunks = []uint64{1, 3, 8, 1000}
				}
				for _, w := range []int{1, 2, 3, 4, 7, 16} {
					for _, chunk := range chunks {
						t.Run(fmt.Sprintf("%s/workers=%d/chunk=%d", s, w, chunk), func(t *testing.T) {
							t.Parallel()
							checkOutcome(t, execute(t, s, rr.r, w, chunk), rr.r, w, want)
						})
					}
				}
			}
		})
	}
}

func TestExecuteStaticSplitsEvenly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		count   uint64
		workers int
		want    []uint64 // Items per worker
	}{
		{10, 1, []uint64{10}},
		{10, 3, []uint64{4, 3, 3}},
		{11, 3, []uint64{4, 4, 3}},
		{12, 3, []uint64{4, 4, 4}},
		{2, 4, []uint64{1, 1, 0, 0}},
		{1, 16, []uint64{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
	}
	for _, tt := range tests {
		r := Range{Start: 0, Count: tt.count}
		out := execute(t, Static, r, tt.workers, 0)
		for w, st := range out.Workers {
			if st.Items != tt.want[w] {
				t.Errorf("count %d, %d workers: worker %d tested %d, want %d", tt.count, tt.workers, w, st.Items, tt.want[w])
			}
		}
		checkOutcome(t, out, r, tt.workers, oracleDigest(t, r))
	}
}

func TestExecuteManyHits(t *testing.T) {
	t.Parallel()
	even := funcKernel{"even", func(x uint64) bool { return x%2 == 0 }}
	r := Range{Start: 1 << 40, Count: 20_000}
	hits := make([]uint64, 0, r.Count/2)
	for i := range r.Count / 2 {
		hits = append(hits, r.Start+2*i)
	}
	want := DigestOf(hits)
	for _, s := range Schedules {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			out, err := Execute(context.Background(), even, r, 3, s, 7)
			if err != nil {
				t.Fatal(err)
			}
			checkOutcome(t, out, r, 3, want)
		})
	}
}

// TestExecuteRunsWorkersConcurrently checks that each schedule really starts
// its workers at once: every worker blocks until all of them have started.
func TestExecuteRunsWorkersConcurrently(t *testing.T) {
	t.Parallel()
	const workers = 4
	for _, s := range Schedules {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			var wg sync.WaitGroup
			wg.Add(workers)
			var once [workers * 2]sync.Once
			k := funcKernel{"barrier", func(x uint64) bool {
				once[x].Do(wg.Done)
				wg.Wait()
				return true
			}}
			r := Range{Start: 0, Count: workers}
			done := make(chan Outcome, 1)
			go func() {
				out, _ := Execute(context.Background(), k, r, workers, s, 1)
				done <- out
			}()
			select {
			case out := <-done:
				if len(out.Hits) != workers {
					t.Errorf("%d hits, want %d", len(out.Hits), workers)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("workers did not run concurrently (deadlock guard after 5 s)")
			}
		})
	}
}

func TestExecuteErrInterrupted(t *testing.T) {
	t.Parallel()
	// About 29,000 primes of about 1.6e7 divisions each: many minutes of
	// work, so returning at all means the workers stopped.
	big := Range{Start: 1_000_000_000_000_000, Count: 1_000_000}
	run := func(t *testing.T, ctx context.Context, s Schedule) Outcome {
		t.Helper()
		type result struct {
			out Outcome
			err error
		}
		done := make(chan result, 1)
		go func() {
			out, err := Execute(ctx, Primes{}, big, 2, s, 8)
			done <- result{out, err}
		}()
		select {
		case res := <-done:
			if !errors.Is(res.err, ErrInterrupted) {
				t.Fatalf("Execute = %v, want ErrInterrupted", res.err)
			}
			return res.out
		case <-time.After(5 * time.Second):
			t.Fatal("Execute still running 5 s after cancellation")
		}
		return Outcome{}
	}
	for _, s := range Schedules {
		t.Run(string(s)+"/AlreadyCancelled", func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			out := run(t, ctx, s)
			var items uint64
			for _, st := range out.Workers {
				items += st.Items
			}
			if items >= big.Count {
				t.Errorf("tested %d numbers after cancellation", items)
			}
		})
		t.Run(string(s)+"/CancelledMidway", func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			out := run(t, ctx, s)
			var items, hits uint64
			for _, st := range out.Workers {
				items += st.Items
				hits += st.Hits
			}
			if items >= big.Count || hits != uint64(len(out.Hits)) {
				t.Errorf("tested %d numbers, counted %d hits, reported %d", items, hits, len(out.Hits))
			}
			for _, x := range out.Hits {
				if !isPrimeOracle(x) || x < big.Start || x > big.Last() {
					t.Errorf("partial outcome reports %d", x)
				}
			}
		})
	}
}

func TestExecuteErrUnknownSchedule(t *testing.T) {
	t.Parallel()
	for _, s := range []Schedule{"", "dynamic", "Chunked"} {
		_, err := Execute(context.Background(), Primes{}, Range{0, 10}, 2, s, 8)
		want := fmt.Sprintf("unknown schedule %q (allowed: per-item, chunked, static)", s)
		if err == nil || err.Error() != want || errors.Is(err, ErrInterrupted) {
			t.Errorf("Execute(schedule %q) = %v, want %s", s, err, want)
		}
	}
}

func TestExecuteErrNoWorkers(t *testing.T) {
	t.Parallel()
	for _, s := range Schedules {
		for _, w := range []int{0, -1} {
			_, err := Execute(context.Background(), Primes{}, Range{0, 10}, w, s, 8)
			if err == nil || !strings.Contains(err.Error(), "workers must be >= 1") {
				t.Errorf("Execute(%s, %d workers) = %v, want a workers error", s, w, err)
			}
		}
	}
}

func BenchmarkExecute(b *testing.B) {
	want := oracleDigest(b, seedRange)
	for _, s := range Schedules {
		b.Run(string(s), func(b *testing.B) {
			var out Outcome
			for b.Loop() {
				out = execute(b, s, seedRange, 2, uint64(DefaultChunk))
			}
			checkOutcome(b, out, seedRange, 2, want)
		})
	}
}

// cancelAtLast cancels its context while testing the range's last number.
type cancelAtLast struct {
	last   uint64
	cancel context.CancelFunc
}

func (cancelAtLast) Name() string { return "cancel-at-last" }
func (k cancelAtLast) Hit(x uint64) bool {
	if x == k.last {
		k.cancel()
	}
	return IsPrime(x)
}

// TestExecuteCancelledAfterLastNumber: a cancellation that arrives once
// every number is tested leaves a complete trial, not ErrInterrupted.
func TestExecuteCancelledAfterLastNumber(t *testing.T) {
	t.Parallel()
	r := Range{Start: 0, Count: 100}
	for _, s := range Schedules {
		ctx, cancel := context.WithCancel(context.Background())
		out, err := Execute(ctx, cancelAtLast{last: r.Last(), cancel: cancel}, r, 1, s, 8)
		cancel()
		if err != nil || out.Workers[0].Items != r.Count {
			t.Errorf("%s: err %v after testing %d of %d numbers, want a complete trial", s, err, out.Workers[0].Items, r.Count)
		}
	}
}
