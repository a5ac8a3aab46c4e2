package experiment

import (
	"context"
	"time"

	"github.com/exp-tool/exp/host"
)

// TrialOverhead is a rough cost of each trial beyond its kernel's work: an
// untimed garbage collection, reading /proc, and committing the trial to
// SQLite with its fsync. EstimatePlan adds it to every trial.
var TrialOverhead = 5 * time.Millisecond

// calibrationBlocks is how many places of a range EstimatePlan samples, so
// that a range whose cost changes along it (larger numbers, denser primes)
// is timed along all of it.
const calibrationBlocks = 8

// Estimate is how long a plan should take on this machine.
type Estimate struct {
	Oracle  time.Duration   // computing the oracle answers before the first trial
	PerCell []time.Duration // one trial of each cell, by Cell.Index: its kernel's work, at most Config.Timeout
	Trials  time.Duration   // every trial in the plan, warmups included, each with TrialOverhead
	// Sampled is how many numbers of the tested ranges the calibration
	// timed, on one core; 0 for the synthetic kernel, whose durations are
	// known from the file.
	Sampled uint64
}

// Total is the whole run: the oracle, then the trials.
func (e Estimate) Total() time.Duration { return e.Oracle + e.Trials }

// EstimatePlan estimates how long p takes on a machine with cpus usable
// CPUs. For the synthetic kernel the durations are the file's: serial,
// then each worker's share of the parallel part (sleep: all workers at
// once; spin: at most cpus at once). For another kernel it times Hit, and
// the oracle, on numbers of each range the cells test, in blocks spread
// along the range, on one core, for about budget in all (at least a few
// milliseconds per range), in CPU time, and divides a cell's work by
// p = min(workers, cpus): an estimate for a quiet machine. Scheduling and
// the per-item schedule's channels are not counted, so the estimate is a
// lower bound of the kernel's part. It returns ErrInterrupted if ctx is
// done first.
func EstimatePlan(ctx context.Context, p *Plan, cpus int, budget time.Duration) (Estimate, error) {
	k := p.Config.NewKernel()
	e := Estimate{PerCell: make([]time.Duration, len(p.Cells))}
	ranges := p.Ranges()
	perNumber := map[Range]time.Duration{}
	syn, synthetic := k.(Synthetic)
	if _, command := k.(TrialKernel); command {
		// A program cannot be timed ahead: each cell is counted at its
		// timeout, if any, and otherwise at nothing.
		for i := range p.Cells {
			e.PerCell[i] = p.Config.Timeout
		}
		for _, st := range p.Steps {
			e.Trials += e.PerCell[st.Cell] + TrialOverhead
		}
		return e, nil
	}
	if !synthetic {
		share := max(budget/time.Duration(len(ranges)), 5*time.Millisecond)
		for _, r := range ranges {
			hit, n, err := timePerNumber(ctx, r, share, k.Hit)
			if err != nil {
				return e, err
			}
			perNumber[r], e.Sampled = hit, e.Sampled+n
			if o, ok := k.(Oracle); ok {
				oracle, _, err := timePerNumber(ctx, r, share/4, o.OracleHit)
				if err != nil {
					return e, err
				}
				e.Oracle += oracle * time.Duration(r.Count)
			}
		}
	} else {
		for _, r := range ranges {
			perNumber[r] = SyntheticUnit // the range is the parallel part in units
		}
	}
	for i, c := range p.Cells {
		work := perNumber[c.Range] * time.Duration(c.Range.Count)
		lanes := c.Workers
		if p.Config.CPUBound() {
			lanes = min(c.Workers, max(cpus, 1))
		}
		d := work / time.Duration(lanes)
		if synthetic {
			d += syn.Serial
		}
		if t := p.Config.Timeout; t > 0 {
			d = min(d, t)
		}
		e.PerCell[i] = d
	}
	for _, st := range p.Steps {
		e.Trials += e.PerCell[st.Cell] + TrialOverhead
	}
	return e, nil
}

// timePerNumber times hit on numbers of r, in calibrationBlocks blocks
// spread along it, for about budget (all of r if it is small), and returns
// the time per number and how many numbers it timed. The time is the
// process's CPU time where getrusage has it, so that other processes
// sharing the CPU do not inflate it (the estimate is for a quiet machine),
// else wall time.
func timePerNumber(ctx context.Context, r Range, budget time.Duration, hit func(uint64) bool) (time.Duration, uint64, error) {
	const step = 64 // numbers timed at a time in one block
	var next [calibrationBlocks]uint64
	for j := range next {
		next[j] = r.Count / calibrationBlocks * uint64(j)
	}
	var tested uint64
	start := time.Now()
	u0, s0 := host.CPUTimes()
	for tested < r.Count && (tested == 0 || time.Since(start) < budget) {
		if ctx.Err() != nil {
			return 0, tested, stopped(ctx)
		}
		progressed := false
		for j := range next {
			end := r.Count
			if j+1 < calibrationBlocks {
				end = r.Count / calibrationBlocks * uint64(j+1)
			}
			for i := next[j]; i < min(next[j]+step, end); i++ {
				hit(r.Start + i)
				tested++
				progressed = true
			}
			next[j] = min(next[j]+step, end)
		}
		if !progressed {
			break
		}
	}
	spent := time.Since(start)
	if u1, s1 := host.CPUTimes(); u1+s1 > u0+s0 {
		spent = time.Duration(u1 + s1 - u0 - s0)
	}
	return spent / time.Duration(max(tested, 1)), tested, nil
}
