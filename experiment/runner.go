package experiment

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
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
	OK        bool         // whether the answer is right (see Verify)
	Mismatch  string       // why OK is false, empty when OK
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

// References computes the oracle answer of each range, so that each trial
// can be checked, not only compared with its siblings. Pass the ranges the
// cells test (Plan.Ranges): under weak scaling these differ from the file's.
// Each distinct range is computed once. A kernel without an oracle gets an
// empty map; the Runner then uses each range's first trial.
func References(ctx context.Context, k Kernel, ranges []Range) (map[Range]Reference, error) {
	refs := make(map[Range]Reference, len(ranges))
	stop := func() bool { return ctx.Err() != nil }
	for _, r := range ranges {
		if _, done := refs[r]; done {
			continue
		}
		d, ok, err := OracleDigest(k, r, stop)
		if err != nil {
			return nil, fmt.Errorf("oracle for range %s: %w", r, err)
		}
		if !ok {
			return map[Range]Reference{}, nil
		}
		refs[r] = Reference{Digest: d, Source: SourceOracle}
	}
	return refs, nil
}

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
}

// Summary counts what a Run did.
type Summary struct {
	Trials int // trials finished and emitted
	Failed int // of those, trials whose answer disagreed with the reference
}

// Run executes steps of p in order and passes each finished trial to emit,
// which typically commits it to the store. A trial whose answer differs from
// its tested range's reference, or that fails the kernel's own check
// (Checker), is emitted with OK false and counted in Summary.Failed; the run
// goes on. Run stops at the first error from emit, and returns
// ErrInterrupted when ctx is cancelled; the trial cut short then is not
// emitted, every earlier one was.
func (rn *Runner) Run(ctx context.Context, p *Plan, steps []Step, emit func(Trial) error) (Summary, error) {
	k := rn.Kernel
	if k == nil {
		k = p.Config.NewKernel()
	}
	if k == nil {
		return Summary{}, fmt.Errorf("unknown kernel %q", p.Config.Kernel)
	}
	now, load := rn.Now, rn.Load
	if now == nil {
		now = time.Now
	}
	if load == nil {
		load = host.LoadAvg1
	}
	refs := maps.Clone(rn.References)
	if refs == nil {
		refs = map[Range]Reference{}
	}
	var sum Summary
	for _, st := range steps {
		if ctx.Err() != nil {
			return sum, ErrInterrupted
		}
		t, bad, err := rn.trial(ctx, k, p, st, now, load)
		if err != nil {
			return sum, err
		}
		c := p.Cells[st.Cell]
		ref := refs[c.Range]
		if ref.Source == "" {
			// Without an oracle the first complete trial is the reference.
			if Verify(&t, Reference{Digest: t.Digest}, c.Range.Count); t.OK && bad == nil {
				ref = Reference{Digest: t.Digest, Source: SourceFirstTrial}
				refs[c.Range] = ref
			}
		}
		if ref.Source != "" {
			Verify(&t, ref, c.Range.Count)
		}
		if t.OK && bad != nil {
			t.OK, t.Mismatch = false, bad.Error()
		}
		if err := emit(t); err != nil {
			return sum, fmt.Errorf("save trial %d: %w", st.Seq, err)
		}
		sum.Trials++
		if !t.OK {
			sum.Failed++
		}
		if rn.Progress != nil {
			rn.Progress(sum.Trials, len(steps))
		}
	}
	return sum, nil
}

// Verify sets t.OK and t.Mismatch: a trial is correct when its workers
// tested every number of the range exactly once in total (count) and its
// hits and checksum equal the reference's.
func Verify(t *Trial, ref Reference, count uint64) {
	var items uint64
	for _, w := range t.Workers {
		items += w.Items
	}
	switch {
	case items != count:
		t.OK, t.Mismatch = false, fmt.Sprintf("workers tested %d numbers but the range has %d", items, count)
	case t.Digest != ref.Digest:
		t.OK, t.Mismatch = false, fmt.Sprintf("found %d hits (checksum %.12s) but the %s reference has %d (checksum %.12s)",
			t.Hits, t.Checksum, ref.Source, ref.Hits, ref.Checksum)
	default:
		t.OK, t.Mismatch = true, ""
	}
}

// trial runs and times one step. The wall time covers the kernel's serial
// part, if any, starting the workers, the kernel, and gathering hits;
// sorting and hashing them is not timed. bad is the kernel's own check of
// the outcome (Checker), nil if it passed or the kernel has none.
func (rn *Runner) trial(ctx context.Context, k Kernel, p *Plan, st Step, now func() time.Time, load func() (float64, bool)) (t Trial, bad, err error) {
	c := p.Cells[st.Cell]
	t = Trial{Step: st}
	// Collect the previous trials' garbage now, untimed, so that a GC
	// cycle is less likely to land inside this trial (as testing.B does
	// before a benchmark).
	runtime.GC()
	t.Load1, t.HasLoad = load()
	u0, s0 := host.CPUTimes()
	t.StartedAt = now().UTC()
	start := time.Now()
	out, err := Execute(ctx, k, c.Range, c.Workers, c.Schedule, uint64(p.Config.Chunk))
	t.WallNS = int64(time.Since(start))
	u1, s1 := host.CPUTimes()
	if errors.Is(err, ErrInterrupted) {
		return t, nil, ErrInterrupted
	}
	if err != nil {
		return t, nil, fmt.Errorf("trial %d: %w", st.Seq, err)
	}
	t.UserNS, t.SysNS = u1-u0, s1-s0
	t.Workers = out.Workers
	t.Digest = DigestOf(out.Hits)
	if ch, ok := k.(Checker); ok {
		bad = ch.Check(out, c.Range)
	}
	return t, bad, nil
}
