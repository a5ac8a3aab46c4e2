package experiment

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"time"

	"github.com/exp-tool/exp/host"
)

// Trial is one timed execution of a cell.
type Trial struct {
	Step                   // which planned trial this is
	StartedAt time.Time    // wall-clock start, UTC
	WallNS    int64        // elapsed time on the monotonic clock, nanoseconds
	UserNS    int64        // process user CPU time during the trial, nanoseconds
	SysNS     int64        // process system CPU time during the trial, nanoseconds
	Load1     float64      // 1-minute load average just before the trial; valid if HasLoad
	HasLoad   bool         // whether Load1 could be read
	Digest                 // hits found and their checksum
	Workers   []WorkerStat // per-worker busy time and counts
	OK        bool         // whether the answer was checked and is right (see Verify)
	Mismatch  string       // why OK is false, empty when OK
	// TimedOut reports a trial cancelled at Config.Timeout. It has no answer
	// to check: OK is false and Mismatch says how far it got, but it is not
	// a wrong answer (Summary.Failed). WallNS, the CPU times and Workers are
	// those of the part it did, and Digest is of the hits found by then.
	TimedOut bool
	// OtherCPUNS is the CPU time that other processes used during the
	// trial, nanoseconds: the machine's busy time (host.SystemCPU) less this
	// process's (host.CPUTimes), at the resolution of host.ProcStatTick;
	// valid if HasOtherCPU.
	OtherCPUNS  int64
	HasOtherCPU bool // whether OtherCPUNS could be measured (/proc/stat is readable)
	// QuietWaitNS is how long the Runner waited for a quiet machine before
	// the trial (Runner.Quiet), nanoseconds; valid if HasQuietWait.
	QuietWaitNS  int64
	HasQuietWait bool // whether the Runner waited for a quiet machine before the trial
	// Process is what kernel command's child process did (exit status,
	// peak RSS, stderr's tail); nil for in-process kernels. Its CPU times
	// are UserNS and SysNS, and Digest is of its stdout (see
	// processTrial).
	Process *ProcessResult
	// ConcludeStatus is the exit status of the conclude hook run after
	// the trial (Hooks.Conclude); valid if HasConclude.
	ConcludeStatus int
	HasConclude    bool // whether a conclude hook ran after the trial
}

// Source says where a Reference's answer came from.
type Source string

// The sources of a reference answer.
const (
	// SourceOracle is an independent computation (Oracle): every trial is
	// checked, not only compared with its siblings.
	SourceOracle Source = "oracle"
	// SourceFirstTrial is the range's first complete trial, for a kernel
	// without an oracle: later trials must agree with it.
	SourceFirstTrial Source = "first-trial"
)

// Reference is the answer every trial of a tested range must reproduce.
type Reference struct {
	Digest        // expected hits and checksum
	Source Source // where the answer came from; "" when there is none yet
}

// ReferencesProgress computes the oracle answer of each range, so that each
// trial can be checked, not only compared with its siblings. Pass the
// ranges the cells test (Plan.Ranges): under weak scaling these differ
// from the file's. Each distinct range is computed once. A kernel without
// an oracle gets an empty map; the Runner then uses each range's first
// trial. It reports its progress: for a kernel
// with an oracle it calls progress, if not nil, every OracleProgressEvery
// numbers and after each range, with the numbers checked so far and the
// total of the distinct ranges' counts. It returns ErrInterrupted (wrapping
// ctx's *TimeLimit cause, if any) when ctx is done first.
func ReferencesProgress(ctx context.Context, k Kernel, ranges []Range, progress func(done, total uint64)) (map[Range]Reference, error) {
	refs := make(map[Range]Reference, len(ranges))
	var done, total uint64
	for i, r := range ranges {
		if !slices.Contains(ranges[:i], r) {
			total += r.Count
		}
	}
	for _, r := range ranges {
		if _, seen := refs[r]; seen {
			continue
		}
		at := func(i uint64) bool {
			if progress != nil && i%OracleProgressEvery == 0 && i > 0 {
				progress(done+i, total)
			}
			return ctx.Err() != nil
		}
		d, ok, err := oracleDigestAt(k, r, at)
		if errors.Is(err, ErrInterrupted) {
			err = stopped(ctx)
		}
		if err != nil {
			return nil, fmt.Errorf("oracle for range %s: %w", r, err)
		}
		if !ok {
			return map[Range]Reference{}, nil
		}
		refs[r] = Reference{Digest: d, Source: SourceOracle}
		if done += r.Count; progress != nil {
			progress(done, total)
		}
	}
	return refs, nil
}

// OracleProgressEvery is how many numbers ReferencesProgress checks
// between two calls of its progress callback: about 50 ms of math/big's
// test near 10^13.
const OracleProgressEvery = 1 << 15

// Runner executes a Plan's trials one at a time.
type Runner struct {
	Kernel Kernel // the work; plan.Config.NewKernel() if nil
	// References is the answer per tested range (Cell.Range), from
	// References; may be nil or miss ranges, which are then checked against
	// their first trial.
	References map[Range]Reference
	Now        func() time.Time       // wall clock for StartedAt; time.Now if nil
	Load       func() (float64, bool) // load average probe; host.LoadAvg1 if nil
	Progress   func(done, total int)  // called after each trial, if set
	// SystemCPU is the machine's busy CPU time, nanoseconds, read before
	// and after each trial for Trial.OtherCPUNS (and by Quiet); host.SystemCPU
	// if nil.
	SystemCPU func() (busyNS int64, ok bool)
	// Quiet, if set, is the noise guard: before each trial the Runner waits
	// for other processes to go quiet, up to a bound (Trial.QuietWaitNS).
	Quiet *Quiet
	// Skip, if set, records a trial skipped because its prepare hook
	// failed (p.Config.Hooks.Prepare); the run goes on. An error from it
	// stops the run.
	Skip func(SkippedTrial) error
	// Warn, if set, is told of each failed conclude hook, in one line.
	Warn func(msg string)
	// Stop decides, for a plan with adaptive repeats, which steps are no
	// longer needed: Run skips the steps it says to (Stopper.Skip) and
	// feeds it each emitted trial (Stopper.Add). If nil, Run uses a new
	// NewStopper(p) (nil for fixed repeats); exp run --resume passes one
	// that has been fed the trials already stored.
	Stop *Stopper
}

// Summary counts what a Run did.
type Summary struct {
	Trials   int // trials finished and emitted, timed out ones included
	Failed   int // of those, trials whose answer disagreed with the reference
	TimedOut int // of those, trials cancelled at Config.Timeout (not in Failed)
	Skipped  int // planned trials not run because their prepare hook failed (not in Trials)
	Stopped  int // planned trials not run because their cell had stopped (Runner.Stop; not in Trials)
	// ConcludeFailed counts trials after which the conclude hook failed
	// (in Trials).
	ConcludeFailed int
	// QuietWaitNS is the time spent waiting for a quiet machine before the
	// trials (Runner.Quiet), nanoseconds.
	QuietWaitNS int64
}

// Run executes steps of p in order and passes each finished trial to emit,
// which typically commits it to the store. A trial whose answer differs from
// its tested range's reference, or that fails the kernel's own check
// (Checker), is emitted with OK false and counted in Summary.Failed; the run
// goes on. A trial that exceeds p.Config.Timeout is cancelled, emitted with
// TimedOut set and counted in Summary.TimedOut; the run goes on. With
// adaptive repeats (p.Config.Adaptive), the steps of a cell that has
// stopped (Runner.Stop) are skipped, counted in Summary.Stopped, and the
// total that Progress is told shrinks by them. Run stops
// at the first error from emit, and returns ErrInterrupted (wrapping the
// context's *TimeLimit cause, if any) when ctx is cancelled; the trial cut
// short then is not emitted, every earlier one was.
func (rn *Runner) Run(ctx context.Context, p *Plan, steps []Step, emit func(Trial) error) (Summary, error) {
	k := rn.Kernel
	if k == nil {
		k = p.Config.NewKernel()
	}
	if k == nil {
		return Summary{}, fmt.Errorf("unknown kernel %q", p.Config.Kernel)
	}
	now, load, sysCPU := rn.Now, rn.Load, rn.SystemCPU
	if now == nil {
		now = time.Now
	}
	if load == nil {
		load = host.LoadAvg1
	}
	if sysCPU == nil {
		sysCPU = host.SystemCPU
	}
	refs := maps.Clone(rn.References)
	if refs == nil {
		refs = map[Range]Reference{}
	}
	stop := rn.Stop
	if stop == nil {
		stop = NewStopper(p)
	}
	// total is the steps that will run: it shrinks as cells stop.
	total, left := len(steps), make([]int, len(p.Cells))
	for _, st := range steps {
		if st.Cell >= 0 && st.Cell < len(left) {
			left[st.Cell]++
		}
		if stop != nil && stop.Skip(st) {
			total--
		}
	}
	var sum Summary
	for _, st := range steps {
		if ctx.Err() != nil {
			return sum, stopped(ctx)
		}
		if st.Cell >= 0 && st.Cell < len(left) {
			left[st.Cell]--
		}
		if stop != nil && stop.Skip(st) {
			sum.Stopped++
			continue
		}
		hooks := p.Config.Hooks
		if hooks != nil && len(hooks.Prepare) > 0 {
			res, err := hooks.RunForCell(ctx, hooks.Prepare, p.Cells[st.Cell])
			if err != nil {
				return sum, fmt.Errorf("prepare before trial %d: %w", st.Seq, err)
			}
			if res.ExitStatus != 0 {
				sk := SkippedTrial{Step: st, PrepareStatus: res.ExitStatus, Reason: res.Failed("prepare")}
				if rn.Skip != nil {
					if err := rn.Skip(sk); err != nil {
						return sum, fmt.Errorf("save skipped trial %d: %w", st.Seq, err)
					}
				}
				sum.Skipped++
				if rn.Progress != nil {
					rn.Progress(sum.Trials+sum.Skipped, total)
				}
				continue
			}
		}
		var waited time.Duration
		if rn.Quiet != nil {
			var err error
			if waited, err = rn.Quiet.wait(ctx, sysCPU); err != nil {
				return sum, err
			}
			sum.QuietWaitNS += int64(waited)
		}
		t, bad, err := rn.trial(ctx, k, p, st, now, load, sysCPU)
		if err != nil {
			return sum, err
		}
		t.QuietWaitNS, t.HasQuietWait = int64(waited), rn.Quiet != nil
		switch m, command := k.(*Command); {
		case t.TimedOut:
		case command:
			checkProcess(&t, m.Check, p.Cells[st.Cell].Range, refs)
		default:
			rn.check(&t, bad, p.Cells[st.Cell].Range, refs)
		}
		if hooks != nil && len(hooks.Conclude) > 0 {
			res, err := hooks.RunForCell(ctx, hooks.Conclude, p.Cells[st.Cell])
			if err != nil && !errors.Is(err, ErrInterrupted) {
				return sum, fmt.Errorf("conclude after trial %d: %w", st.Seq, err)
			}
			// Interrupted during conclude, the finished trial is still kept.
			if err == nil {
				t.ConcludeStatus, t.HasConclude = res.ExitStatus, true
				if res.ExitStatus != 0 {
					sum.ConcludeFailed++
					if rn.Warn != nil {
						rn.Warn(fmt.Sprintf("trial %d: %s (the trial is kept)", st.Seq, res.Failed("conclude")))
					}
				}
			}
		}
		if err := emit(t); err != nil {
			return sum, fmt.Errorf("save trial %d: %w", st.Seq, err)
		}
		sum.Trials++
		switch {
		case t.TimedOut:
			sum.TimedOut++
		case !t.OK:
			sum.Failed++
		}
		if stop != nil && stop.Add(&t) {
			// The cell's later steps will be skipped (a step of a cell
			// comes after the cell's earlier rounds).
			total -= left[st.Cell]
		}
		if rn.Progress != nil {
			rn.Progress(sum.Trials+sum.Skipped, total)
		}
	}
	return sum, nil
}

// trial runs and times one step. The wall time covers the kernel's serial
// part, if any, starting the workers, the kernel, and gathering hits;
// sorting and hashing them is not timed. bad is the kernel's own check of
// the outcome (Checker), nil if it passed or the kernel has none. A trial
// that ran past p.Config.Timeout, whether its cancellation stopped it or
// came after its last item, is returned with TimedOut set and no error;
// one cut short because ctx is done returns ErrInterrupted.
func (rn *Runner) trial(ctx context.Context, k Kernel, p *Plan, st Step, now func() time.Time, load func() (float64, bool),
	sysCPU func() (int64, bool)) (t Trial, bad, err error) {
	c := p.Cells[st.Cell]
	if tk, ok := k.(TrialKernel); ok {
		t, err = rn.processTrial(ctx, tk, p, st, now, load, sysCPU)
		return t, nil, err
	}
	t = Trial{Step: st}
	// Collect the previous trials' garbage now, untimed, so that a GC
	// cycle is less likely to land inside this trial (as testing.B does
	// before a benchmark).
	runtime.GC()
	t.Load1, t.HasLoad = load()
	busy0, ok0 := sysCPU()
	u0, s0 := host.CPUTimes()
	t.StartedAt = now().UTC()
	start := time.Now()
	// The limit counts from the same instant as the wall time, so that a
	// timed-out trial's wall time is never below its timeout.
	tctx, cancel := ctx, context.CancelFunc(func() {})
	if limit := p.Config.Timeout; limit > 0 {
		tctx, cancel = context.WithDeadlineCause(ctx, start.Add(limit), errTrialTimeout)
	}
	defer cancel()
	out, err := Execute(tctx, k, c.Range, c.Workers, c.Schedule, uint64(p.Config.Chunk))
	t.WallNS = int64(time.Since(start))
	u1, s1 := host.CPUTimes()
	busy1, ok1 := sysCPU()
	if errors.Is(err, ErrInterrupted) && ctx.Err() != nil {
		return t, nil, stopped(ctx)
	}
	if err != nil && !errors.Is(err, ErrInterrupted) {
		return t, nil, fmt.Errorf("trial %d: %w", st.Seq, err)
	}
	t.UserNS, t.SysNS = u1-u0, s1-s0
	if ok0 && ok1 {
		t.OtherCPUNS, t.HasOtherCPU = host.OtherCPU(busy0, busy1, u0+s0, u1+s1), true
	}
	t.Workers = out.Workers
	t.Digest = DigestOf(out.Hits)
	// Past the timeout the trial is timed out, cancelled or not: on a busy
	// machine the cancellation can arrive after the last item.
	if limit := p.Config.Timeout; err != nil || limit > 0 && t.WallNS > int64(limit) {
		var items uint64
		for _, w := range out.Workers {
			items += w.Items
		}
		took := time.Duration(t.WallNS).Round(time.Millisecond)
		t.TimedOut = true
		t.Mismatch = fmt.Sprintf("timed out: cancelled after %s (timeout %s) with %d of %d items done", took, ShortDuration(limit), items, c.Range.Count)
		if err == nil {
			t.Mismatch = fmt.Sprintf("timed out: took %s (timeout %s); the work ended only after the limit", took, ShortDuration(limit))
		}
		return t, nil, nil
	}
	if ch, ok := k.(Checker); ok {
		bad = ch.Check(out, c.Range)
	}
	return t, bad, nil
}
