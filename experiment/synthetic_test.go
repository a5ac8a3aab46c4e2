package experiment

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exp-tool/exp/host"
)

// syntheticMinimal is the smallest valid synthetic experiment file.
const syntheticMinimal = "name: x\nkernel: synthetic\nsynthetic: {serial: 10ms, parallel: 90ms, mode: sleep}\nworkers: [1, 2]\n"

// TestSyntheticCheck: the work adds up when the serial part ran once for
// at least its duration, every unit was done once, and no worker was busy
// for less than its share. Each broken outcome is flagged with its reason.
func TestSyntheticCheck(t *testing.T) {
	t.Parallel()
	sleep := Synthetic{Serial: 10 * time.Millisecond, Parallel: 90 * time.Millisecond, Mode: ModeSleep}
	spin := sleep
	spin.Mode = ModeSpin
	r := Range{0, 90_000}
	ms := int64(time.Millisecond)
	good := func() Outcome {
		return Outcome{SerialRuns: 1, SerialNS: 10*ms + 5, TotalNS: 56 * ms, Workers: []WorkerStat{
			{BusyNS: 45 * ms, Items: 45_000, EndNS: 55*ms + 3}, {BusyNS: 46 * ms, Items: 45_000, EndNS: 55*ms + 9},
		}}
	}
	for _, tc := range []struct {
		name   string
		s      Synthetic
		tamper func(o *Outcome)
		want   string // "" for no error, else the whole message
	}{
		{"Correct", sleep, func(*Outcome) {}, ""},
		{"CorrectSpin", spin, func(*Outcome) {}, ""},
		{"ExactlyTheShare", sleep, func(o *Outcome) { o.SerialNS = 10 * ms; o.Workers[0].EndNS = 55 * ms; o.TotalNS = 55 * ms }, ""},
		{"ExactlyTheShareSpin", spin, func(o *Outcome) { o.Workers[0].BusyNS = 45 * ms }, ""},
		{"LateStartIsFineWhenAsleep", sleep, func(o *Outcome) { o.Workers[1].BusyNS = 44 * ms }, ""},
		{"IdleWorkerWithoutShare", sleep, func(o *Outcome) { o.Workers = append(o.Workers, WorkerStat{BusyNS: 10}) }, ""},
		{"ErrWorkerEarly", sleep, func(o *Outcome) { o.Workers[1].EndNS = 55*ms - 1 },
			"the work does not add up: worker 1 ended 54.999999ms into the trial, before its share of 45000 units of 1µs ended at 55ms (a wait or spin cannot finish early)"},
		{"ErrWorkerEarlySpin", spin, func(o *Outcome) { o.Workers[1].BusyNS = 45*ms - 1 },
			"the work does not add up: worker 1 was busy 44.999999ms for a share of 45000 units of 1µs (a wait or spin cannot finish early)"},
		{"ErrWorkersEarlySpin", spin, func(o *Outcome) { o.Workers[0].BusyNS, o.Workers[1].BusyNS = 1000, 2000 },
			"the work does not add up: worker 0 was busy 1µs for a share of 45000 units of 1µs, and 1 more workers finished early (a wait or spin cannot)"},
		{"ErrNegativeBusySpin", spin, func(o *Outcome) { o.Workers[0].BusyNS = -1 },
			"the work does not add up: worker 0 was busy -1ns for a share of 45000 units of 1µs (a wait or spin cannot finish early)"},
		{"ErrUnitsMissing", sleep, func(o *Outcome) { o.Workers[1].Items = 44_999 },
			"the work does not add up: workers did 89999 units but the work has 90000"},
		{"ErrUnitsTwice", sleep, func(o *Outcome) { o.Workers[0].Items = 90_000; o.Workers[0].EndNS, o.TotalNS = 100*ms, 100*ms },
			"the work does not add up: workers did 135000 units but the work has 90000"},
		{"ErrTooShort", sleep, func(o *Outcome) { o.TotalNS = 50 * ms },
			"the work does not add up: the trial took 50ms, less than the serial part and the largest share, 55ms"},
		{"ErrSerialSkipped", sleep, func(o *Outcome) { o.SerialRuns, o.SerialNS = 0, 0 },
			"the work does not add up: the serial part ran 0 times (want once)"},
		{"ErrSerialTwice", sleep, func(o *Outcome) { o.SerialRuns = 2 },
			"the work does not add up: the serial part ran 2 times (want once)"},
		{"ErrSerialEarly", sleep, func(o *Outcome) { o.SerialNS = 9 * ms },
			"the work does not add up: the serial part took 9ms, less than its 10ms"},
		{"ErrEverything", spin, func(o *Outcome) { o.SerialNS = 0; o.Workers[0].BusyNS = 0; o.Workers[1].Items = 0 },
			"the work does not add up: the serial part took 0s, less than its 10ms; worker 0 was busy 0s for a share of 45000 units of 1µs (a wait or spin cannot finish early); workers did 45000 units but the work has 90000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := good()
			tc.tamper(&o)
			err := tc.s.Check(o, r)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Check = %v, want nil", err)
			case tc.want != "" && (err == nil || err.Error() != tc.want):
				t.Errorf("Check = %v\nwant %s", err, tc.want)
			}
		})
	}
}

// TestSyntheticKernel checks what the synthetic kernel promises without
// timing it: it is an oracle with no hits, builds from the config, and does
// each worker's share in one Block call.
func TestSyntheticKernel(t *testing.T) {
	t.Parallel()
	c, err := Parse("exp.yaml", []byte(syntheticMinimal))
	if err != nil {
		t.Fatal(err)
	}
	k := c.NewKernel()
	s, ok := k.(Synthetic)
	if !ok || s != *c.Synthetic || k.Name() != "synthetic" {
		t.Fatalf("NewKernel() = %#v, want the file's Synthetic", k)
	}
	for _, iface := range []struct {
		name string
		ok   bool
	}{
		{"Oracle", is[Oracle](k)}, {"BlockKernel", is[BlockKernel](k)}, {"SerialKernel", is[SerialKernel](k)}, {"Checker", is[Checker](k)},
	} {
		if !iface.ok {
			t.Errorf("Synthetic does not implement %s", iface.name)
		}
	}
	if (&Config{Kernel: "synthetic"}).NewKernel() != nil {
		t.Error("NewKernel of a synthetic Config without settings is not nil")
	}
	refs, err := references(context.Background(), k, NewPlan(c, 1).Ranges())
	if want := (Reference{Digest: DigestOf(nil), Source: SourceOracle}); err != nil || len(refs) != 1 || refs[c.Ranges[0]] != want {
		t.Errorf("References = %+v, %v; want the empty digest from the oracle", refs, err)
	}
	if s.String() != "sleep: serial 10ms, parallel 90ms" {
		t.Errorf("String() = %q", s.String())
	}
}

func is[T any](k Kernel) bool { _, ok := k.(T); return ok }

// blockCounter is a BlockKernel that counts its calls and does no work.
type blockCounter struct {
	blocks, hits atomic.Int64
	units        atomic.Uint64
}

func (*blockCounter) Name() string { return "block-counter" }
func (b *blockCounter) Hit(uint64) bool {
	b.hits.Add(1)
	return false
}
func (b *blockCounter) Block(_ context.Context, _, n uint64, dst []uint64) (uint64, []uint64) {
	b.blocks.Add(1)
	b.units.Add(n)
	return n, dst
}

// TestExecuteBlockKernel: static hands each worker with a share one Block
// call, chunked one per chunk, and per-item still calls Hit per number.
func TestExecuteBlockKernel(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		s                     Schedule
		count                 uint64
		workers               int
		wantBlocks, wantHits  int64
		wantItemsOfEachWorker []uint64 // nil to skip
	}{
		{Static, 90_000, 4, 4, 0, []uint64{22_500, 22_500, 22_500, 22_500}},
		{Static, 10, 4, 4, 0, []uint64{3, 3, 2, 2}},
		{Static, 2, 4, 2, 0, []uint64{1, 1, 0, 0}}, // workers without a share make no call
		{Chunked, 100, 3, 13, 0, nil},              // ceil(100/8) chunks
		{PerItem, 100, 3, 0, 100, nil},
	} {
		k := &blockCounter{}
		out, err := Execute(context.Background(), k, Range{0, tc.count}, tc.workers, tc.s, 8)
		if err != nil {
			t.Fatalf("%s: %v", tc.s, err)
		}
		units := k.units.Load() + uint64(k.hits.Load())
		if k.blocks.Load() != tc.wantBlocks || k.hits.Load() != tc.wantHits || units != tc.count {
			t.Errorf("%s, %d units, %d workers: %d Block calls, %d Hit calls, %d units; want %d, %d, %d",
				tc.s, tc.count, tc.workers, k.blocks.Load(), k.hits.Load(), units, tc.wantBlocks, tc.wantHits, tc.count)
		}
		for w, want := range tc.wantItemsOfEachWorker {
			if got := out.Workers[w].Items; got != want {
				t.Errorf("%s, %d units, %d workers: worker %d did %d, want %d", tc.s, tc.count, tc.workers, w, got, want)
			}
		}
		if out.SerialRuns != 0 || out.SerialNS != 0 {
			t.Errorf("%s: a kernel without a serial part reports SerialRuns %d, SerialNS %d", tc.s, out.SerialRuns, out.SerialNS)
		}
	}
}

// TestExecuteSynthetic runs the real kernel in both modes and checks only
// what cannot fail on a slow or busy machine: lower bounds.
func TestExecuteSynthetic(t *testing.T) {
	t.Parallel()
	for _, mode := range SyntheticModes {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			s := Synthetic{Serial: 2 * time.Millisecond, Parallel: 8 * time.Millisecond, Mode: mode}
			r := Range{0, 8000}
			out, err := Execute(context.Background(), s, r, 4, Static, 1)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Check(out, r); err != nil {
				t.Errorf("Check: %v\noutcome %+v", err, out)
			}
			if len(out.Hits) != 0 || out.SerialRuns != 1 || out.SerialNS < int64(2*time.Millisecond) {
				t.Errorf("outcome %+v: want no hits and one serial part of at least 2ms", out)
			}
			for w, st := range out.Workers {
				if st.Items != 2000 || st.Hits != 0 || st.EndNS < int64(4*time.Millisecond) {
					t.Errorf("worker %d: %+v, want 2000 units, ended at least 2ms + 2ms into the trial", w, st)
				}
				if mode == ModeSpin && st.BusyNS < int64(2*time.Millisecond) {
					t.Errorf("worker %d: %+v, want at least 2ms of spinning", w, st)
				}
			}
		})
	}
}

// earlyWorker is a synthetic kernel whose first worker claims its share
// without doing it: the Runner must flag every trial. (Its share is 40ms,
// far longer than a worker can be kept from starting on a busy machine.)
type earlyWorker struct{ Synthetic }

func (e earlyWorker) Block(ctx context.Context, x, n uint64, dst []uint64) (uint64, []uint64) {
	if x == 0 {
		return n, dst
	}
	return e.Synthetic.Block(ctx, x, n, dst)
}

// TestRunnerSynthetic runs a small synthetic plan through the Runner with
// its oracle: every trial is correct; with a worker that finishes early,
// every trial is flagged and the run goes on.
func TestRunnerSynthetic(t *testing.T) {
	t.Parallel()
	src := "name: s\nkernel: synthetic\nsynthetic: {serial: 1ms, parallel: 40ms, mode: sleep}\nworkers: [1, 2, 8]\nrepeats: 2\nwarmup: 0\nscaling: weak\n"
	c, err := Parse("exp.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p := NewPlan(c, 3)
	k := c.NewKernel()
	refs, err := references(context.Background(), k, p.Ranges())
	if err != nil || len(refs) != 3 {
		t.Fatalf("References = %+v, %v; want one per tested range", refs, err)
	}
	t.Run("Correct", func(t *testing.T) {
		t.Parallel()
		sum, err := (&Runner{References: refs}).Run(context.Background(), p, p.Steps, func(tr Trial) error {
			if !tr.OK || tr.Hits != 0 || tr.WallNS < int64(41*time.Millisecond) {
				t.Errorf("trial %+v: want OK, no hits, at least 1ms + 40ms", tr)
			}
			return nil
		})
		if err != nil || sum != (Summary{Trials: 6}) {
			t.Errorf("Run = %+v, %v; want 6 correct trials", sum, err)
		}
	})
	t.Run("ErrWorkerEarly", func(t *testing.T) {
		t.Parallel()
		rn := &Runner{Kernel: earlyWorker{*c.Synthetic}, References: refs}
		sum, err := rn.Run(context.Background(), p, p.Steps, func(tr Trial) error {
			if tr.OK || !strings.HasPrefix(tr.Mismatch, "the work does not add up: worker 0 ended ") {
				t.Errorf("trial %d (cell %d): OK %v, Mismatch %q; want worker 0 flagged; workers %+v", tr.Seq, tr.Cell, tr.OK, tr.Mismatch, tr.Workers)
			}
			return nil
		})
		if err != nil || sum != (Summary{Trials: 6, Failed: 6}) {
			t.Errorf("Run = %+v, %v; want all 6 trials failed", sum, err)
		}
	})
}

// TestSyntheticInterrupted: a long sleep or spin, in the serial part or in
// a worker's block, stops soon after the context is cancelled.
func TestSyntheticInterrupted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		s    Synthetic
	}{
		{"SerialSleep", Synthetic{Serial: time.Hour, Parallel: time.Microsecond, Mode: ModeSleep}},
		{"ParallelSleep", Synthetic{Parallel: time.Hour, Mode: ModeSleep}},
		{"SerialSpin", Synthetic{Serial: time.Hour, Parallel: time.Microsecond, Mode: ModeSpin}},
		{"ParallelSpin", Synthetic{Parallel: time.Hour, Mode: ModeSpin}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := Execute(ctx, tc.s, Range{0, uint64(tc.s.Parallel / SyntheticUnit)}, 2, Static, 1)
			if !errors.Is(err, ErrInterrupted) {
				t.Errorf("Execute = %v, want ErrInterrupted", err)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("Execute took %v to stop", d)
			}
		})
	}
}

// TestSpinBurnsCPU: spin mode burns a fixed amount of CPU, not wall time.
// The process's CPU time (getrusage) grows by at least the work done. User
// and system time are checked together: the spin's own clock reads are
// system time, and getrusage splits the two by sampling at clock ticks, so
// user time alone may fall a few percent short of the work.
func TestSpinBurnsCPU(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("spin reads the thread's CPU clock only on Linux; elsewhere it is calibrated")
	}
	// Not parallel: other tests' CPU would count too (harmless for a lower
	// bound, but it hides a spin that burns nothing).
	t.Run("SerialPart", func(t *testing.T) {
		s := Synthetic{Serial: 50 * time.Millisecond, Parallel: time.Microsecond, Mode: ModeSpin}
		u0, s0 := host.CPUTimes()
		if err := s.RunSerial(context.Background()); err != nil {
			t.Fatal(err)
		}
		u1, s1 := host.CPUTimes()
		if cpu := time.Duration(u1 - u0 + s1 - s0); cpu < s.Serial {
			t.Errorf("the serial part burned %v of CPU (user %v), want at least %v", cpu, time.Duration(u1-u0), s.Serial)
		}
	})
	t.Run("MoreWorkersThanCPUs", func(t *testing.T) {
		// 4 x GOMAXPROCS workers share 40ms x GOMAXPROCS of CPU: all of it
		// is burned, and it cannot take less wall time than GOMAXPROCS
		// CPUs need for it, as a spin until a wall-clock deadline would.
		procs := runtime.GOMAXPROCS(0)
		s := Synthetic{Parallel: time.Duration(procs) * 40 * time.Millisecond, Mode: ModeSpin}
		r := Range{0, uint64(s.Parallel / SyntheticUnit)}
		u0, s0 := host.CPUTimes()
		start := time.Now()
		out, err := Execute(context.Background(), s, r, 4*procs, Static, 1)
		wall := time.Since(start)
		u1, s1 := host.CPUTimes()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Check(out, r); err != nil {
			t.Error(err)
		}
		if cpu := time.Duration(u1 - u0 + s1 - s0); cpu < s.Parallel {
			t.Errorf("%d workers burned %v of CPU (user %v), want at least %v", 4*procs, cpu, time.Duration(u1-u0), s.Parallel)
		}
		// 10% slack: a thread in a system call (the clock read) can run
		// without holding one of the GOMAXPROCS slots.
		if floor := s.Parallel / time.Duration(procs) * 9 / 10; wall < floor {
			t.Errorf("%v of CPU work took %v of wall time on %d CPUs, want at least %v", s.Parallel, wall, procs, floor)
		}
	})
}

// BenchmarkSpin measures the overshoot of a 100µs spin: ns/op near 100000.
func BenchmarkSpin(b *testing.B) {
	s := Synthetic{Mode: ModeSpin}
	for b.Loop() {
		s.work(context.Background(), 100*time.Microsecond)
	}
}
