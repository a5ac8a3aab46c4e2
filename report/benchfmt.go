package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/exp-tool/exp/experiment"
	"golang.org/x/perf/benchfmt"
)

// benchUnit is the unit of every value WriteBenchfmt writes: a trial's wall
// time in seconds, which benchstat shows as a time (it is what go test's
// ns/op becomes when benchstat reads it).
const benchUnit = "sec/op"

// configLine is one configuration line of the benchmark format: a key that
// benchfmt accepts (lower case, no spaces) and its value for a report.
type configLine struct {
	key   string
	value func(r *Report) string // "" leaves the line out
}

// benchConfig are the configuration lines of WriteBenchfmt, in order: goos,
// goarch and cpu as go test -bench writes them, then the run's metadata.
// exp-run and exp-uuid differ between any two runs, exp-seed when the file
// sets none, exp-vcs-revision between builds.
var benchConfig = []configLine{
	{"goos", func(r *Report) string { return r.Run.Host.OS }},
	{"goarch", func(r *Report) string { return r.Run.Host.Arch }},
	{"cpu", func(r *Report) string { return r.Run.Host.CPUModel }},
	{"exp-run", func(r *Report) string { return positive(r.Run.ID) }},
	{"exp-uuid", func(r *Report) string { return r.Run.UUID }},
	{"exp-name", func(r *Report) string { return r.Run.Name }},
	{"exp-status", func(r *Report) string { return string(r.Run.Status) }},
	{"exp-kernel", func(r *Report) string { return r.Run.Kernel }},
	{"exp-scaling", func(r *Report) string { return r.Run.Scaling }},
	{"exp-seed", func(r *Report) string { return strconv.FormatInt(r.Run.Seed, 10) }},
	{"exp-version", func(r *Report) string { return r.Run.Host.ExpVersion }},
	{"exp-vcs-revision", func(r *Report) string {
		if h := r.Run.Host; h.VCSRevision != "" && h.VCSModified {
			return h.VCSRevision + "+dirty"
		}
		return r.Run.Host.VCSRevision
	}},
	{"go-version", func(r *Report) string { return r.Run.Host.GoVersion }},
	{"hostname", func(r *Report) string { return r.Run.Host.Hostname }},
	{"num-cpu", func(r *Report) string { return positive(int64(r.Run.Host.NumCPU)) }},
	{"gomaxprocs", func(r *Report) string { return positive(int64(r.Run.Host.GOMAXPROCS)) }},
}

// positive renders n in decimal, or "" (unknown) when it is not positive.
func positive(n int64) string {
	if n <= 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// WriteBenchfmt writes the report in the Go benchmark format
// (https://go.dev/design/14313-benchmark-format), for benchstat and the
// other tools of golang.org/x/perf. It writes configuration lines with the
// run's metadata (goos, goarch and cpu, as go test -bench does, then
// exp-run, exp-uuid, exp-name, exp-status, exp-kernel, exp-scaling,
// exp-seed, exp-version, exp-vcs-revision, go-version, hostname, num-cpu
// and gomaxprocs; unknown values are left out), then one line per measured
// trial, cell by cell in plan order and in run order within a cell: one
// iteration, and the trial's wall time in seconds as sec/op:
//
//	BenchmarkPrimes/range=1e13+1000/schedule=chunked/workers=2 1 0.054580123 sec/op
//
// The name is the kernel in camel case, then the cell as sub-benchmark keys
// range, schedule and workers. The range is start+count, a start that is a
// power of ten from 1000 up written 1eK; under weak scaling the key is
// range-per-worker and the range the one in the experiment file, each
// worker's share. Warmups are left out, as they are of every statistic, and
// so are trials whose answer was wrong: the format has no way to flag them,
// and their times are not the program's (the other formats keep them,
// flagged). A cell without a correct measured trial has no line, and a run
// without one writes nothing.
//
// benchstat puts results whose configuration differs in separate tables,
// so two runs' files compare in one table only with
// benchstat -ignore exp-run,exp-uuid (and exp-seed, exp-vcs-revision or
// others where those differ).
func WriteBenchfmt(w io.Writer, r *Report) error {
	res := &benchfmt.Result{Iters: 1, Values: make([]benchfmt.Value, 1)}
	for _, l := range benchConfig {
		if v := configValue(l.value(r)); v != "" {
			res.Config = append(res.Config, benchfmt.Config{Key: l.key, Value: []byte(v), File: true})
		}
	}
	bw := benchfmt.NewWriter(w)
	for i := range r.Cells {
		c := &r.Cells[i]
		res.Name = benchfmt.Name(benchName(r, c.Cell))
		for _, secs := range c.passed {
			res.Values[0] = benchfmt.Value{Value: secs, Unit: benchUnit}
			if err := bw.Write(res); err != nil {
				return fmt.Errorf("write benchfmt: %w", err)
			}
		}
	}
	return nil
}

// benchName is the benchmark name of cell c in r, without the Benchmark
// prefix: the kernel in camel case (Primes, Synthetic), then the cell as
// sub-benchmark keys, range, schedule and workers:
//
//	Primes/range=1e13+1000/schedule=chunked/workers=2
//
// The range is start+count, with a start that is a power of ten from 1000
// up written 1eK (10000000000000 is 1e13) and any other start in decimal;
// for the synthetic kernel it is the stored range, [0, +parallel work in
// µs). Under weak scaling the key is range-per-worker, and the range the
// one in the experiment file, each worker's share: the cell with w workers
// tested count x w numbers. The name holds no spaces.
func benchName(r *Report, c experiment.Cell) string {
	key, rg := "range", c.Range
	if weak(r.Run) && c.Workers > 0 {
		key, rg.Count = "range-per-worker", rg.Count/uint64(c.Workers)
	}
	return benchBase(r.Run.Kernel) +
		"/" + key + "=" + rangeText(rg) +
		"/schedule=" + nameValue(string(c.Schedule)) +
		"/workers=" + strconv.Itoa(c.Workers)
}

// benchBase turns a kernel name into a benchmark's base name: each run of
// letters and digits capitalised, the rest dropped (primes-fast is
// PrimesFast); "Kernel" when nothing is left.
func benchBase(kernel string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(kernel, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		rs := []rune(part)
		b.WriteString(string(unicode.ToUpper(rs[0])) + string(rs[1:]))
	}
	if b.Len() == 0 {
		return "Kernel"
	}
	return b.String()
}

// rangeText renders rg as start+count, a start that is a power of ten from
// 1000 up as 1eK: [10000000000000, +1000) is 1e13+1000.
func rangeText(rg experiment.Range) string {
	start := strconv.FormatUint(rg.Start, 10)
	if len(start) > 3 && start[0] == '1' && strings.Trim(start[1:], "0") == "" {
		start = "1e" + strconv.Itoa(len(start)-1)
	}
	return start + "+" + strconv.FormatUint(rg.Count, 10)
}

// nameValue makes s safe as a value in a benchmark name: spaces, control
// characters and slashes become underscores.
func nameValue(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '/' {
			return '_'
		}
		return r
	}, s)
}

// configValue makes s safe as a configuration value: one line, without
// leading or trailing space.
func configValue(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s))
}
