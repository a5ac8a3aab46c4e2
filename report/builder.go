package report

import "github.com/exp-tool/exp/experiment"

// Builder analyses a run's trials one at a time, in run order, keeping
// per cell only the few numbers each statistic needs (wall time, CPU use
// and other processes' CPU, as float64s) instead of the trials: a report
// of a million trials fits in tens of megabytes. Build is NewBuilder, Add
// for each trial, then Report; the result is the same.
type Builder struct {
	rep   *Report
	th    Thresholds
	times [][]float64 // per cell: measured wall times kept in the statistics, seconds
	inv   [][]int     // per cell: the process invocation of each of times
	pinv  [][]int     // per cell: the process invocation of each of its passed trials
	// multi is whether the run's trials are split over processes; without
	// it inv and pinv stay empty (every trial is process 0), which saves
	// two ints a trial on a run of millions.
	multi bool
	cpu   [][]float64 // per cell: (user+sys)/wall of those trials
	other [][]float64 // per cell: other_cpu_ns/wall_ns of measured trials that measured it
	// seq is per cell: the Seq of the trials of CellStats.passed, for the
	// diagnostics.
	seq [][]int
	// primesOK and seen are per cell: a correct trial was seen; any trial was.
	primesOK, seen []bool
	stored         int // trials added, whatever their cell
	failed         int // trials with a wrong answer, in a cell of the run
	exits          int // trials of kernel command that exited non-zero, timeouts aside
	lastExit       int // the exit status of the last of those
}

// NewBuilder starts the analysis of run, whose cells are cells in plan
// order, with thresholds th.
func NewBuilder(run experiment.Run, cells []experiment.Cell, th Thresholds) *Builder {
	rep := &Report{Run: run, Thresholds: th, UsableCPUs: run.Host.UsableCPUs(), Adaptive: run.Adaptive(), inputs: map[uint64]string{}}
	rep.Cells = make([]CellStats, len(cells))
	for i, c := range cells {
		p := c.Workers
		if cpuBound(run) {
			p = min(p, rep.UsableCPUs)
		}
		rep.Cells[i] = CellStats{Cell: c, Processors: p}
		if c.Input != "" {
			rep.inputs[c.Range.Start] = c.Input
		}
	}
	n := len(cells)
	return &Builder{rep: rep, th: th, times: make([][]float64, n), inv: make([][]int, n), pinv: make([][]int, n), cpu: make([][]float64, n), other: make([][]float64, n),
		primesOK: make([]bool, n), seen: make([]bool, n), seq: make([][]int, n), multi: run.ProcessInvocations > 1}
}

// Add counts trial t, the next in run order; Add keeps nothing of t
// itself, so t may be reused. A trial whose Cell is not one of the run's
// is counted as stored and otherwise ignored.
func (b *Builder) Add(t *experiment.Trial) {
	b.stored++
	if p := t.Process; p != nil && !t.TimedOut && p.ExitStatus != 0 {
		b.exits++
		b.lastExit = p.ExitStatus
	}
	if t.Cell < 0 || t.Cell >= len(b.rep.Cells) {
		return
	}
	cs := &b.rep.Cells[t.Cell]
	if !t.Warmup {
		cs.measured++
	}
	if t.TimedOut {
		cs.TimedOut++
		if !t.Warmup {
			cs.measuredTimedOut++
		}
		return
	}
	if !t.OK {
		cs.Failed++
		b.failed++
	}
	// Primes is what the cell's first correct trial found; with no
	// correct trial, what its first trial found (the cell is FAILED).
	if t.OK && !b.primesOK[t.Cell] || !b.seen[t.Cell] {
		cs.Primes = t.Hits
	}
	b.primesOK[t.Cell] = b.primesOK[t.Cell] || t.OK
	b.seen[t.Cell] = true
	if t.Warmup {
		cs.Warmups++
		return
	}
	if t.HasOtherCPU && t.WallNS > 0 {
		b.other[t.Cell] = append(b.other[t.Cell], float64(t.OtherCPUNS)/float64(t.WallNS))
	}
	if b.th.Contended(*t) {
		cs.Contended++
		if b.th.ExcludeContended {
			cs.ExcludedContended++
			return
		}
	}
	secs := float64(t.WallNS) / 1e9
	b.times[t.Cell] = append(b.times[t.Cell], secs)
	if b.multi {
		b.inv[t.Cell] = append(b.inv[t.Cell], t.Invocation)
	}
	if t.OK {
		cs.passed = append(cs.passed, secs)
		b.seq[t.Cell] = append(b.seq[t.Cell], t.Seq)
		if b.multi {
			b.pinv[t.Cell] = append(b.pinv[t.Cell], t.Invocation)
		}
	}
	if t.WallNS > 0 && t.UserNS+t.SysNS > 0 {
		b.cpu[t.Cell] = append(b.cpu[t.Cell], float64(t.UserNS+t.SysNS)/float64(t.WallNS))
	}
}

// Report finishes the analysis: statistics, speedups, fits and warnings.
// Call it once, after the last Add. The cells' statistics and diagnostics
// are computed on up to GOMAXPROCS goroutines, each cell on its own, so
// the report is the same whatever their number.
func (b *Builder) Report() *Report {
	rep, th := b.rep, b.th
	passed := make([][]float64, len(rep.Cells))
	eachCell(len(rep.Cells), func(i int) { passed[i] = b.finishCell(i) })
	rep.speedups(b.times)
	rep.diagnoseDrift(passed, b.seq)
	for i := range rep.Cells {
		c := &rep.Cells[i]
		c.Warnings = append(cellWarnings(c, rep.UsableCPUs, th, cpuBound(rep.Run)), diagnosticWarnings(c.Diagnostics, rep.Run.Warmup, c.Outliers)...)
		c.Warnings = append(c.Warnings, preciseWarnings(c, rep.Adaptive)...)
	}
	rep.fits()
	shards := rep.shardWarnings()
	for i := range rep.Cells {
		rep.Cells[i].Warnings = append(rep.Cells[i].Warnings, rep.Cells[i].notes...)
	}
	rep.Warnings = append(runWarnings(rep, b.stored, b.failed), commandWarnings(rep, b.exits, b.lastExit)...)
	rep.Warnings = append(rep.Warnings, shards...)
	if w := processWarning(rep); w != nil {
		rep.Warnings = append(rep.Warnings, w)
	}
	return rep
}
