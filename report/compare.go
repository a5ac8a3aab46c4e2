package report

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/host"
	"golang.org/x/perf/benchmath"
	"gonum.org/v1/gonum/stat/distuv"
)

// DefaultThreshold is the practical threshold of a comparison: a median
// that moved by less than 5% is the same, however significant.
var DefaultThreshold = 0.05

// DefaultAlpha is the significance level of the Mann–Whitney U test.
var DefaultAlpha = 0.05

// Side is one run of a comparison, as stored: its record, cells and trials.
type Side struct {
	Run    experiment.Run
	Cells  []experiment.Cell  // in plan order
	Trials []experiment.Trial // warmups and failed trials included; Compare skips them
}

// CompareOptions are the settings of a comparison.
type CompareOptions struct {
	Thresholds Thresholds // confidence level and cell thresholds, for both reports
	Threshold  float64    // practical threshold: smallest relative change of a median that counts, 0.05 = 5%
	Alpha      float64    // significance level of the U test
}

// CellKey identifies a cell across runs: what it tested, how, with how many
// workers.
type CellKey struct {
	Range    experiment.Range
	Schedule experiment.Schedule
	Workers  int
}

// CellDiff compares one cell of two runs.
type CellDiff struct {
	CellKey
	A, B benchmath.Summary // median wall time, seconds, with its interval at the comparison's confidence
	// NA and NB are the samples of each side: its measured, correct
	// trials, or, for a cell measured in several processes, its processes.
	NA, NB int
	// Delta is (B - A) / A of the medians; NaN when a side has no trials.
	Delta float64
	// P is the two-sided p-value of the Mann–Whitney U test (benchmath's
	// AssumeNothing); NaN when a side has no trials.
	P float64
	// Differs reports a significant change beyond the practical threshold:
	// P < Alpha and |Delta| >= Threshold.
	Differs  bool
	Warnings []error
}

// FitDiff compares the Amdahl fits of one range and schedule.
type FitDiff struct {
	Range    experiment.Range
	Schedule experiment.Schedule
	A, B     Fit // the two runs' fits (Amdahl in AmdahlErr/Amdahl)
	// Diff is B's serial fraction minus A's, and [DiffLow, DiffHigh] its
	// interval: Diff ± q sqrt(se_A^2 + se_B^2), each se recovered from its
	// fit's interval and q the larger of the two fits' quantiles. NaN when a
	// side has no fit.
	Diff, DiffLow, DiffHigh float64
	// Agree reports that the interval of the difference contains 0; true
	// when there is nothing to compare (the reason is in Warnings).
	Agree    bool
	Warnings []error
}

// HostDiff is a fact about the machine or build that differs between runs.
type HostDiff struct {
	Field string // e.g. "cpu_model"
	A, B  string
}

// Comparison is two runs compared cell by cell and fit by fit, as
// benchstat compares benchmarks.
type Comparison struct {
	A, B     *Report
	Options  CompareOptions
	Cells    []CellDiff // matched cells, in A's plan order
	OnlyA    []CellKey  // cells of A that B lacks
	OnlyB    []CellKey  // cells of B that A lacks
	Geomean  float64    // geometric mean of the B/A median ratios over matched cells with data; NaN if none
	Fits     []FitDiff  // per range and schedule present in both
	Hosts    []HostDiff // how the machines and builds differ
	Configs  []HostDiff // how the experiments differ: kernel, scaling, chunk, config
	Warnings []error    // comparison-level caveats
	Verdict  Verdict    // reproduced or not, and why
}

// Verdict is the outcome of a comparison read as a reproduction.
type Verdict struct {
	Reproduced bool
	Line       string // "reproduced" or "not reproduced: ..."
}

// ErrHostsDiffer warns that the two runs ran on different machines or builds.
var ErrHostsDiffer = errors.New("hosts differ")

// ErrConfigsDiffer warns that the two runs ran different experiments.
var ErrConfigsDiffer = errors.New("experiments differ")

// ErrTooFewForTest warns that a cell has too few trials for the U test ever
// to reach the significance level.
var ErrTooFewForTest = errors.New("too few trials for the U test")

// Compare matches the cells of a and b by (range, schedule, workers),
// compares each matched cell's measured, correct trials with benchmath
// (median and interval, Mann–Whitney U test), compares the Amdahl fits of
// each range and schedule, and lists how the hosts differ. Cells in only
// one run are listed, never dropped.
//
// Zero Alpha or Threshold take DefaultAlpha and DefaultThreshold; a zero
// confidence level takes DefaultThresholds'. Compare is CompareReports of
// the two sides' reports, built with those thresholds.
func Compare(a, b Side, opt CompareOptions) *Comparison {
	opt = opt.withDefaults()
	return CompareReports(Build(a.Run, a.Cells, a.Trials, opt.Thresholds), Build(b.Run, b.Cells, b.Trials, opt.Thresholds), opt)
}

// withDefaults fills in the zero settings as Compare documents.
func (opt CompareOptions) withDefaults() CompareOptions {
	if opt.Alpha == 0 {
		opt.Alpha = DefaultAlpha
	}
	if opt.Thresholds.Confidence == 0 {
		opt.Thresholds = DefaultThresholds
	}
	return opt
}

// CompareReports is Compare of two runs already analysed, such as by a
// Builder fed from the store one trial at a time: ra and rb must have
// been built with opt's thresholds (after its defaults, see Compare).
func CompareReports(ra, rb *Report, opt CompareOptions) *Comparison {
	opt = opt.withDefaults()
	c := &Comparison{Options: opt, A: ra, B: rb}
	a, b := reportSide(ra), reportSide(rb)
	sa, sb := samples(ra), samples(rb)
	keyOf := func(x experiment.Cell) CellKey { return CellKey{x.Range, x.Schedule, x.Workers} }
	inB := map[CellKey]bool{}
	for _, x := range b.Cells {
		inB[keyOf(x)] = true
	}
	var logSum float64
	var logN int
	for _, x := range a.Cells {
		k := keyOf(x)
		if !inB[k] {
			c.OnlyA = append(c.OnlyA, k)
			continue
		}
		d := c.cell(k, sa[k], sb[k])
		if !math.IsNaN(d.Delta) {
			logSum += math.Log1p(d.Delta)
			logN++
		}
		c.Cells = append(c.Cells, d)
	}
	inA := map[CellKey]bool{}
	for _, x := range a.Cells {
		inA[keyOf(x)] = true
	}
	for _, x := range b.Cells {
		if k := keyOf(x); !inA[k] {
			c.OnlyB = append(c.OnlyB, k)
		}
	}
	c.Geomean = math.NaN()
	if logN > 0 {
		c.Geomean = math.Exp(logSum / float64(logN))
	}
	c.fits()
	c.Hosts = hostDiffs(a.Run.Host, b.Run.Host)
	if len(c.Hosts) > 0 {
		c.Warnings = append(c.Warnings, fmt.Errorf("%w: %s; a difference may be the machine's, not the program's", ErrHostsDiffer, hostList(c.Hosts)))
	}
	c.Configs = configDiffs(a.Run, b.Run)
	if len(c.Configs) > 0 {
		c.Warnings = append(c.Warnings, fmt.Errorf("%w: %s; the runs measured different things", ErrConfigsDiffer, hostList(c.Configs)))
	}
	for _, r := range []experiment.Run{a.Run, b.Run} {
		if r.ProcessInvocations > 1 {
			c.Warnings = append(c.Warnings, fmt.Errorf("run %d's trials ran in %d processes: each process's median is one sample of the test (NA, NB count processes), as its trials are not independent of each other",
				r.ID, r.ProcessInvocations))
		}
		if r.Status != experiment.StatusDone {
			c.Warnings = append(c.Warnings, fmt.Errorf("run %d is %s, not done: its cells may lack trials", r.ID, r.Status))
		}
	}
	if n := len(c.OnlyA) + len(c.OnlyB); n > 0 {
		c.Warnings = append(c.Warnings, fmt.Errorf("%s in only one run (%d in A only, %d in B only)", plural(n, "cell"), len(c.OnlyA), len(c.OnlyB)))
	}
	c.Verdict = c.verdict()
	return c
}

// reportSide is the run and cells of rep, for matching cells.
func reportSide(rep *Report) Side {
	cells := make([]experiment.Cell, len(rep.Cells))
	for i := range rep.Cells {
		cells[i] = rep.Cells[i].Cell
	}
	return Side{Run: rep.Run, Cells: cells}
}

// samples collects each cell's measured wall times of correct trials, in
// seconds (timed-out trials are never correct), without the contended ones
// if the report's thresholds exclude them: the values Build kept for
// WriteBenchfmt.
//
// A cell measured in several processes (invocations) gives one sample per
// process, its median: trials of one process are not independent of each
// other, and counting them as if they were makes p far too small.
func samples(rep *Report) map[CellKey][]float64 {
	out := map[CellKey][]float64{}
	for i := range rep.Cells {
		x := &rep.Cells[i]
		if len(x.passed) == 0 {
			continue
		}
		k := CellKey{x.Range, x.Schedule, x.Workers}
		out[k] = append(out[k], processMedians(x.passed, x.passedInv)...)
	}
	return out
}

// processMedians is xs when its trials came from one process, else the
// median of each process's trials (inv[i] is the process of xs[i]), in
// order of the processes' labels.
func processMedians(xs []float64, inv []int) []float64 {
	if len(inv) == 0 {
		return xs // one process
	}
	groups := map[int][]float64{}
	for i, x := range xs {
		groups[inv[i]] = append(groups[inv[i]], x)
	}
	if len(groups) < 2 {
		return xs
	}
	var out []float64
	for _, k := range slices.Sorted(maps.Keys(groups)) {
		out = append(out, median(groups[k]))
	}
	return out
}

// cell compares one matched cell.
func (c *Comparison) cell(k CellKey, a, b []float64) CellDiff {
	nan := math.NaN()
	d := CellDiff{CellKey: k, NA: len(a), NB: len(b), Delta: nan, P: nan}
	conf := c.Options.Thresholds.Confidence
	th := benchmath.DefaultThresholds
	th.CompareAlpha = c.Options.Alpha
	var sa, sb *benchmath.Sample
	if len(a) > 0 {
		sa = benchmath.NewSample(slices.Clone(a), &th)
		d.A = benchmath.AssumeNothing.Summary(sa, conf)
	}
	if len(b) > 0 {
		sb = benchmath.NewSample(slices.Clone(b), &th)
		d.B = benchmath.AssumeNothing.Summary(sb, conf)
	}
	if sa == nil || sb == nil {
		d.Warnings = append(d.Warnings, fmt.Errorf("no correct measured trials in %s: not compared", missingSide(sa == nil, sb == nil)))
		return d
	}
	d.Delta = (d.B.Center - d.A.Center) / d.A.Center
	cmp := benchmath.AssumeNothing.Compare(sa, sb)
	d.P = cmp.P
	d.Differs = d.P < c.Options.Alpha && math.Abs(d.Delta) >= c.Options.Threshold
	if minP := minUTestP(len(a), len(b)); minP >= c.Options.Alpha {
		// benchmath says so too, less precisely; one warning is enough.
		d.Warnings = append(d.Warnings, fmt.Errorf("%w: with n = %d+%d the smallest possible p is %.2g, not below α = %g",
			ErrTooFewForTest, len(a), len(b), minP, c.Options.Alpha))
		return d
	}
	d.Warnings = append(d.Warnings, cmp.Warnings...)
	return d
}

func missingSide(a, b bool) string {
	switch {
	case a && b:
		return "either run"
	case a:
		return "run A"
	}
	return "run B"
}

// minUTestP is the smallest two-sided p-value a Mann–Whitney U test can
// give for samples of n1 and n2 without ties: 2 / C(n1+n2, n1), when every
// value of one sample lies beyond every value of the other.
func minUTestP(n1, n2 int) float64 {
	b := distuv.Binomial{N: float64(n1 + n2), P: 0.5}
	// C(n1+n2, n1) = P(X = n1) / 0.5^(n1+n2).
	logC := b.LogProb(float64(n1)) + float64(n1+n2)*math.Ln2
	return min(1, 2*math.Exp(-logC))
}

// hostDiffs lists the facts that explain a difference between two runs.
func hostDiffs(a, b host.Host) []HostDiff {
	var out []HostDiff
	add := func(field, x, y string) {
		if x != y {
			out = append(out, HostDiff{field, x, y})
		}
	}
	add("hostname", a.Hostname, b.Hostname)
	add("cpu_model", a.CPUModel, b.CPUModel)
	add("usable_cpus", fmt.Sprint(a.UsableCPUs()), fmt.Sprint(b.UsableCPUs()))
	add("go_version", a.GoVersion, b.GoVersion)
	add("exp_version", a.ExpVersion, b.ExpVersion)
	add("vcs_revision", revision(a), revision(b))
	add("kernel_release", a.KernelRelease, b.KernelRelease)
	add("cpu_governor", a.CPUGovernor, b.CPUGovernor)
	return out
}

// configDiffs lists what makes two runs different experiments.
func configDiffs(a, b experiment.Run) []HostDiff {
	var out []HostDiff
	add := func(field, x, y string) {
		if x != y {
			out = append(out, HostDiff{field, x, y})
		}
	}
	add("kernel", a.Kernel, b.Kernel)
	add("scaling", a.Scaling, b.Scaling)
	add("chunk", fmt.Sprint(a.Chunk), fmt.Sprint(b.Chunk))
	add("config_sha256", short(a.ConfigSHA256), short(b.ConfigSHA256))
	return out
}

func short(s string) string { return s[:min(12, len(s))] }

func revision(h host.Host) string {
	if h.VCSModified {
		return h.VCSRevision + "+dirty"
	}
	return h.VCSRevision
}

func hostList(ds []HostDiff) string {
	s := ""
	for i, d := range ds {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s %q vs %q", d.Field, d.A, d.B)
	}
	return s
}
