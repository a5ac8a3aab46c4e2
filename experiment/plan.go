package experiment

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Cell is one point of the experiment matrix: a range, a schedule and a
// worker count. Its trials are the repeats measured at that point.
type Cell struct {
	Index      int // position in Plan.Cells
	RangeIndex int // position in Config.Ranges of the range as written in the file
	// Range is what the cell tests: Config.Ranges[RangeIndex] under strong
	// scaling; under weak scaling the same start with count x Workers, so
	// that each worker's share stays the same.
	Range    Range
	Schedule Schedule // how the range is split
	Workers  int      // number of worker goroutines (kernel command: the {workers} it is given)
	// Input is kernel command's input of the cell as written in the file,
	// Config.Command.Inputs[RangeIndex]; "" without inputs and for other
	// kernels.
	Input string
}

// Step is one planned trial. In a plan with adaptive repeats, Rep is also
// the round the step belongs to (see NewPlan).
type Step struct {
	Seq    int  // position in the run's order, from 0
	Cell   int  // index into Plan.Cells
	Rep    int  // position among the cell's trials, from 0; warmups come first
	Warmup bool // whether the trial is a warmup, left out of statistics
	// Invocation is which of Config.Invocations exp processes runs the
	// trial, from 0; always 0 with one invocation.
	Invocation int
}

// Plan is the experiment matrix expanded into cells and ordered trials.
type Plan struct {
	Config *Config // the experiment file the plan was built from
	Seed   int64   // seed of the trial order
	Cells  []Cell  // range x schedule x workers, in file order
	Steps  []Step  // warmup+repeats trials per cell, shuffled (adaptive repeats: in rounds; invocations: see NewPlan)
	// Inputs are kernel command's inputs as read before the run, by input
	// index (ReadInputs); nil until read, and for other kernels.
	Inputs []InputFile
	// Shard is the part of the matrix this plan runs (Restrict); the zero
	// Shard for the whole matrix.
	Shard Shard
	// Matrix is, by cell index, the cell's position in the whole matrix,
	// in a shard's plan (Restrict); nil for the whole matrix.
	Matrix []int
	// MatrixCells is how many cells the whole matrix has, in a shard's
	// plan; 0 for the whole matrix.
	MatrixCells int
}

// NewPlan expands c into cells (ranges, then schedules, then workers, in file
// order; each cell's tested range follows c.Scaling, see Cell.Range) and
// shuffles all their trials with a PCG generator seeded by seed, so that
// cells are interleaved and slow drift of the machine spreads over all of
// them. Within each cell the first c.Warmup trials in that order are
// the warmups. With adaptive repeats (c.Adaptive) the trials run in rounds
// instead (see rounds). The same config and seed always give the same plan.
//
// With c.Invocations = N > 1 the steps are split over N processes run one
// after the other: invocation K gets, of every cell, c.Warmup warmups of
// its own (a fresh process warms up again: Kalibera & Jones 2013) and the
// repeats i with i mod N = K, so N x Warmup + Repeats steps per cell. The
// steps of invocation 0 come first, shuffled as above, then those of
// invocation 1, and so on; Rep counts each cell's trials across the
// whole run, in that order.
func NewPlan(c *Config, seed int64) *Plan {
	p := &Plan{Config: c, Seed: seed}
	for ri, r := range c.Ranges {
		for _, s := range c.Schedules {
			for _, w := range c.Workers {
				tested := r
				if c.Scaling == ScalingWeak {
					tested.Count *= uint64(w) // Parse checked that the end stays <= MaxValue
				}
				cell := Cell{Index: len(p.Cells), RangeIndex: ri, Range: tested, Schedule: s, Workers: w}
				if m := c.Command; m != nil && ri < len(m.Inputs) {
					cell.Input = m.Inputs[ri]
				}
				p.Cells = append(p.Cells, cell)
			}
		}
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6578702d706c616e)) // "exp-plan"
	if c.Adaptive != nil {
		// Parse refuses invocations with adaptive repeats.
		p.Steps = rounds(len(p.Cells), c.Warmup+c.Repeats, c.Warmup, rng)
		return p
	}
	n := c.NumInvocations()
	p.Steps = make([]Step, 0, len(p.Cells)*c.StepsPerCell())
	seen := make([]int, len(p.Cells))
	for k := range n {
		// Invocation k's share of each cell's repeats: those i with i mod n = k.
		per := c.Warmup + c.Repeats/n
		if k < c.Repeats%n {
			per++
		}
		steps := make([]Step, 0, len(p.Cells)*per)
		for ci := range p.Cells {
			for range per {
				steps = append(steps, Step{Cell: ci, Invocation: k})
			}
		}
		rng.Shuffle(len(steps), func(i, j int) { steps[i], steps[j] = steps[j], steps[i] })
		inThis := make([]int, len(p.Cells))
		for i := range steps {
			st := &steps[i]
			st.Seq = len(p.Steps) + i
			st.Rep = seen[st.Cell]
			st.Warmup = inThis[st.Cell] < c.Warmup
			seen[st.Cell]++
			inThis[st.Cell]++
		}
		p.Steps = append(p.Steps, steps...)
	}
	return p
}

// InvocationSteps returns the steps of steps that invocation k runs, in
// their order.
func InvocationSteps(steps []Step, k int) []Step {
	var out []Step
	for _, st := range steps {
		if st.Invocation == k {
			out = append(out, st)
		}
	}
	return out
}

// rounds orders the trials of an adaptive plan: n rounds of one step per
// cell each, the cells shuffled within each round by rng, so that every
// cell has had r trials before any has r+1 and a cell can stop after any
// round (Stopper) without the others losing their interleaving. The
// first warmup rounds are the warmups. A step's round is its Rep.
func rounds(cells, n, warmup int, rng *rand.Rand) []Step {
	steps := make([]Step, 0, cells*n)
	order := make([]int, cells)
	for r := range n {
		for i := range order {
			order[i] = i
		}
		rng.Shuffle(cells, func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, ci := range order {
			steps = append(steps, Step{Seq: len(steps), Cell: ci, Rep: r, Warmup: r < warmup})
		}
	}
	return steps
}

// Ranges returns the distinct ranges the cells test, in cell order: the
// file's ranges under strong scaling, one per range and worker count under
// weak scaling. These are the ranges References needs.
func (p *Plan) Ranges() []Range {
	var out []Range
	for _, c := range p.Cells {
		if !slices.Contains(out, c.Range) {
			out = append(out, c.Range)
		}
	}
	return out
}

// Missing returns the steps of p that are not among done, in plan order:
// the trials a resumed run still has to run, in the order the seed gave
// them. done are the steps of the trials already stored. It returns an
// error if one of them is not p's step with the same Seq (another cell,
// rep or warmup flag) or appears twice: the trials were planned from
// another config, seed or version of exp, and going on would mix plans.
// A stored invocation label K + N·a (ProcessLabel) counts as invocation K.
func (p *Plan) Missing(done []Step) ([]Step, error) {
	have := make([]bool, len(p.Steps))
	for _, st := range done {
		if st.Seq < 0 || st.Seq >= len(p.Steps) {
			return nil, fmt.Errorf("stored trial %d is beyond the plan's %d steps", st.Seq, len(p.Steps))
		}
		if n := p.Config.NumInvocations(); n > 1 {
			st.Invocation %= n // a process that continued invocation K stores K + n·a (ProcessLabel)
		}
		if want := p.Steps[st.Seq]; st != want {
			return nil, fmt.Errorf("stored trial %d is cell %d rep %d (invocation %d), the plan's is cell %d rep %d (invocation %d)",
				st.Seq, st.Cell, st.Rep, st.Invocation, want.Cell, want.Rep, want.Invocation)
		}
		if have[st.Seq] {
			return nil, fmt.Errorf("trial %d is stored twice", st.Seq)
		}
		have[st.Seq] = true
	}
	var missing []Step
	for _, st := range p.Steps {
		if !have[st.Seq] {
			missing = append(missing, st)
		}
	}
	return missing, nil
}

// ProcessLabel is the trials.invocation label of a process that runs the
// steps of planned invocation k of p's N, given the labels already stored
// for the run: k for the first process of invocation k, and k + N·a for
// the a-th process that continued it after an interrupt (exp run
// --resume). Each process so has a label of its own, and the report's
// analysis between processes never mixes two of them, one of which began
// cold; label mod N is the planned invocation.
func (p *Plan) ProcessLabel(k int, stored []int) int {
	n := p.Config.NumInvocations()
	label := k
	for _, l := range stored {
		if n > 1 && l%n == k && l >= label {
			label = l + n
		}
	}
	return label
}
