package experiment

import (
	"context"
	"errors"
	"fmt"
	"time"
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

// Reference is the answer every trial of a range must reproduce.
type Reference struct {
	Digest        // expected hits and checksum
	Source string // "oracle" (independent check) or "first-trial" (kernel has no oracle)
}

// References computes the oracle answer of every range, so that each
// trial can be checked, not only compared with its siblings. Ranges whose
// kernel has no oracle get a zero Reference; the Runner then uses the
// range's first trial.
func References(ctx context.Context, k Kernel, ranges []Range) ([]Reference, error) {
	refs := make([]Reference, len(ranges))
	stop := func() bool { return ctx.Err() != nil }
	for i, r := range ranges {
		d, ok, err := OracleDigest(k, r, stop)
		if err != nil {
			return nil, fmt.Errorf("oracle for range %s: %w", r, err)
		}
		if ok {
			refs[i] = Reference{Digest: d, Source: "oracle"}
		}
	}
	return refs, nil
}

// Runner executes a Plan's trials one at a time.
type Runner struct {
	Kernel     Kernel                 // the work; from Kernels[plan.Config.Kernel] if nil
	References []Reference            // per range of the plan, from References; may be nil
	Now        func() time.Time       // wall clock for StartedAt; time.Now if nil
	Load       func() (float64, bool) // load average probe; LoadAvg1 if nil
	Progress   func(done, total int)  // called after each trial, if set
}

// Summary counts what a Run did.
type Summary struct {
	Trials int // trials finished and emitted
	Failed int // of those, trials whose answer disagreed with the reference
}

// Run executes steps of p in order and passes each finished trial to emit,
// which typically commits it to the store. A trial whose answer differs from
// its range's reference is emitted with OK false and counted in
// Summary.Failed; the run goes on. Run stops at the first error from emit, and
// returns ErrInterrupted when ctx is cancelled; the trial cut short then is
// not emitted, every earlier one was.
func (rn *Runner) Run(ctx context.Context, p *Plan, steps []Step, emit func(Trial) error) (Summary, error) {
	k := rn.Kernel
	if k == nil {
		k = Kernels[p.Config.Kernel]
	}
	if k == nil {
		return Summary{}, fmt.Errorf("unknown kernel %q", p.Config.Kernel)
	}
	now, load := rn.Now, rn.Load
	if now == nil {
		now = time.Now
	}
	if load == nil {
		load = LoadAvg1
	}
	refs := make([]Reference, len(p.Config.Ranges))
	copy(refs, rn.References)
	var sum Summary
	for _, st := range steps {
		if ctx.Err() != nil {
			return sum, ErrInterrupted
		}
		t, err := rn.trial(ctx, k, p, st, now, load)
		if err != nil {
			return sum, err
		}
		c := p.Cells[st.Cell]
		ref := &refs[c.RangeIndex]
		if ref.Source == "" {
			// Without an oracle the first complete trial is the reference.
			if Verify(&t, Reference{Digest: t.Digest}, c.Range.Count); t.OK {
				*ref = Reference{Digest: t.Digest, Source: "first-trial"}
			}
		}
		if ref.Source != "" {
			Verify(&t, *ref, c.Range.Count)
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

// trial runs and times one step. The wall time covers starting the workers,
// the kernel, and gathering hits; sorting and hashing them is not timed.
func (rn *Runner) trial(ctx context.Context, k Kernel, p *Plan, st Step, now func() time.Time, load func() (float64, bool)) (Trial, error) {
	c := p.Cells[st.Cell]
	t := Trial{Step: st}
	t.Load1, t.HasLoad = load()
	u0, s0 := cpuTimes()
	t.StartedAt = now().UTC()
	start := time.Now()
	out, err := Execute(ctx, k, c.Range, c.Workers, c.Schedule, uint64(p.Config.Chunk))
	t.WallNS = int64(time.Since(start))
	u1, s1 := cpuTimes()
	if errors.Is(err, ErrInterrupted) {
		return t, ErrInterrupted
	}
	if err != nil {
		return t, fmt.Errorf("trial %d: %w", st.Seq, err)
	}
	t.UserNS, t.SysNS = u1-u0, s1-s0
	t.Workers = out.Workers
	t.Digest = DigestOf(out.Hits)
	return t, nil
}
