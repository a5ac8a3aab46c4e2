package report

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/exp-tool/exp/experiment"
)

// grid is a header and rows of text cells, rendered aligned or as Markdown.
type grid struct {
	header []string
	rows   [][]string
}

// writeAligned writes the grid as columns two spaces apart, as
// text/tabwriter would, but measuring each cell in terminal columns
// (displayWidth), so that wide characters such as 日本 stay aligned. The
// last cell of a row is not padded.
func (g grid) writeAligned(w io.Writer) error {
	lines := append([][]string{g.header}, g.rows...)
	var widths []int
	for _, cells := range lines {
		for j, c := range cells[:max(len(cells)-1, 0)] {
			if j == len(widths) {
				widths = append(widths, 0)
			}
			widths[j] = max(widths[j], displayWidth(c))
		}
	}
	var b strings.Builder
	for _, cells := range lines {
		for j, c := range cells {
			b.WriteString(c)
			if j < len(cells)-1 {
				b.WriteString(strings.Repeat(" ", widths[j]-displayWidth(c)+2))
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (g grid) writeMarkdown(w io.Writer) error {
	esc := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	line := func(cells []string) string {
		out := make([]string, len(cells))
		for i, c := range cells {
			out[i] = esc(c)
		}
		return "| " + strings.Join(out, " | ") + " |\n"
	}
	sep := make([]string, len(g.header))
	for i := range sep {
		sep[i] = "---"
	}
	var b strings.Builder
	b.WriteString(line(g.header))
	b.WriteString("|" + strings.Join(sep, "|") + "|\n")
	for _, r := range g.rows {
		b.WriteString(line(r))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cellTable lays out the cells for humans: times with units, ratios to 2-3
// decimals, "-" where a value is missing.
func cellTable(r *Report) Table {
	ci := ciHeader(r)
	model := "AMDAHL"
	if weak(r.Run) {
		model = "GUSTAFSON"
	}
	t := Table{Header: []string{"RANGE", "SCHEDULE", "WORKERS", "P", "N", "MEDIAN", ci, "CV", "CPU", "CONTENDED",
		"SPEEDUP", ci, "EFF", "KARP-FLATT", model, "RESID"}}
	for _, c := range r.Cells {
		resid, predicted := "out", c.AmdahlSpeedup
		if c.InFit {
			resid = signed(c.Residual, 1)
		}
		if weak(r.Run) {
			predicted = c.GustafsonSpeedup
			if c.InFit {
				resid = "in"
			}
		}
		t.Rows = append(t.Rows, Row{Cells: []string{
			r.Label(c.Range), string(c.Schedule), fmt.Sprint(c.Workers), fmt.Sprint(c.Processors), fmt.Sprint(c.N),
			dur(c.Median), interval(c.CILow, c.CIHigh, dur), pct(c.CV), num(c.CPUUse, 2), contended(c),
			num(c.Speedup, 2), interval(c.SpeedupLow, c.SpeedupHigh, func(v float64) string { return num(v, 2) }),
			num(c.Efficiency, 2), num(c.KarpFlatt, 3), num(predicted, 2), resid,
		}, Warnings: c.Warnings})
	}
	if r.Adaptive != nil {
		// Beside the interval it describes: how precise each median is.
		const at = 7
		t.Header = slices.Insert(t.Header, at, "PRECISION")
		for i, c := range r.Cells {
			t.Rows[i].Cells = slices.Insert(t.Rows[i].Cells, at, precision(c.Precision))
		}
	}
	if slices.ContainsFunc(r.Cells, func(c CellStats) bool { return c.Invocations > 1 }) {
		// Runs of several processes: the spread between them and within them.
		t.Header = append(t.Header, "INV", "BETWEEN SD", "WITHIN SD")
		for i, c := range r.Cells {
			t.Rows[i].Cells = append(t.Rows[i].Cells, fmt.Sprint(c.Invocations), pct(c.BetweenSD/c.Median), pct(c.WithinSD/c.Median))
		}
	}
	return t
}

// precision renders a cell's Precision as ±3.1%, "-" when missing.
func precision(p float64) string {
	if missing(p) {
		return "-"
	}
	return "±" + experiment.Percent(roundSig(p, 2))
}

// contended renders a cell's CONTENDED column: how many measured trials
// were contended, "N out" when they were left out, "-" when no trial
// measured other processes' CPU.
func contended(c CellStats) string {
	switch {
	case missing(c.OtherCPU) && c.Contended == 0:
		return "-"
	case c.ExcludedContended > 0:
		return fmt.Sprint(c.ExcludedContended, " out")
	}
	return fmt.Sprint(c.Contended)
}

func ciHeader(r *Report) string {
	return strconv.FormatFloat(r.Thresholds.Confidence*100, 'f', -1, 64) + "% CI"
}

// gustafsonTable lays out the Gustafson fit of each range of a
// weak-scaling run.
func gustafsonTable(r *Report) Table {
	ci := ciHeader(r)
	t := Table{Header: []string{"RANGE PER WORKER", "SCHEDULE", "P", "ALPHA", ci, "R2"}}
	for _, f := range r.Fits {
		ps := strings.Trim(strings.ReplaceAll(fmt.Sprint(f.Processors), " ", ","), "[]")
		row := Row{Cells: []string{r.Label(f.Range), string(f.Schedule), ps, "-", "-", "-"}, Warnings: f.Warnings}
		if f.GustafsonErr != nil {
			row.Warnings = append([]error{fmt.Errorf("no fit: %w", f.GustafsonErr)}, f.Warnings...)
		} else {
			m := f.Gustafson
			four := func(v float64) string { return num(v, 4) }
			row.Cells[3], row.Cells[4], row.Cells[5] = four(m.Alpha), interval(m.AlphaLow, m.AlphaHigh, four), num(m.R2, 3)
			row.Warnings = append(slices.Clone(f.Warnings), m.Warnings...)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// fitTable lays out the Amdahl fit of each range and schedule, or for a
// weak-scaling run the Gustafson fit.
func fitTable(r *Report) Table {
	if weak(r.Run) {
		return gustafsonTable(r)
	}
	ci := ciHeader(r)
	t := Table{Header: []string{"RANGE", "SCHEDULE", "P", "B", ci, "T1", "CEILING 1/B", ci, "R2", "LACK-OF-FIT p"}}
	for _, f := range r.Fits {
		ps := strings.Trim(strings.ReplaceAll(fmt.Sprint(f.Processors), " ", ","), "[]")
		row := Row{Cells: []string{r.Label(f.Range), string(f.Schedule), ps, "-", "-", "-", "-", "-", "-", "-"}, Warnings: f.Warnings}
		if f.AmdahlErr != nil {
			row.Warnings = append([]error{fmt.Errorf("no fit: %w", f.AmdahlErr)}, f.Warnings...)
		} else {
			m := f.Amdahl
			four := func(v float64) string { return num(v, 4) }
			row.Cells[3], row.Cells[4], row.Cells[5] = four(m.B), interval(m.BLow, m.BHigh, four), dur(m.T1)
			row.Cells[6], row.Cells[7] = num(m.MaxSpeedup(), 1), ceiling(m.CeilingLow, m.CeilingHigh)
			row.Cells[8], row.Cells[9] = num(m.R2, 3), num(m.ChiSqP, 3)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// ceiling renders the interval of 1/B, with ∞ for an unbounded end.
func ceiling(lo, hi float64) string {
	f := func(v float64) string {
		if math.IsInf(v, 1) {
			return "∞"
		}
		return num(v, 1)
	}
	if math.IsNaN(lo) || math.IsNaN(hi) {
		return "-"
	}
	return "[" + f(lo) + ", " + f(hi) + "]"
}

func joinWarnings(ws []error) string { return strings.Join(messages(ws), "; ") }

// signed renders v with a sign and prec decimals, "-" when missing.
func signed(v float64, prec int) string {
	if missing(v) {
		return "-"
	}
	s := fmt.Sprintf("%+.*f", prec, v)
	if strings.Trim(s, "+-0.") == "" {
		return s[1:] // no sign on zero
	}
	return s
}

// runHeader describes the run in a few lines.
func runHeader(r *Report) []string {
	run := r.Run
	h := run.Host
	repeats := fmt.Sprintf("%d repeats", run.Repeats)
	if a := r.Adaptive; a != nil {
		repeats = fmt.Sprintf("repeats %s (in rounds, until the median is within ±%s)", a, experiment.Percent(a.Precision))
	}
	chunk := "" // only where a schedule uses it
	if slices.ContainsFunc(r.Cells, func(c CellStats) bool { return c.Schedule == experiment.Chunked }) {
		chunk = fmt.Sprintf(", chunk %d", run.Chunk)
	}
	lines := []string{
		fmt.Sprintf("run %d  %s  %q  %s  started %s", run.ID, run.UUID, run.Name, run.Status, run.StartedAt.Format(time.RFC3339)),
		fmt.Sprintf("kernel %s (%s), %s scaling, %s + %d warmup per cell%s, seed %d%s", run.Kernel, boundText(run.CPUBound),
			orDash(run.Scaling), repeats, run.Warmup, processesText(run), run.Seed, chunk),
		fmt.Sprintf("host %s: %s, %d usable CPUs (NumCPU %d, GOMAXPROCS %d), %s/%s, %s", h.Hostname, orDash(h.CPUModel),
			r.UsableCPUs, h.NumCPU, h.GOMAXPROCS, h.OS, h.Arch, h.GoVersion),
	}
	if l := ShardsText(r); l != "" {
		lines = append(lines, l)
	}
	lines = append(lines, commandHeader(r)...)
	if run.Error != "" {
		lines = append(lines, "error: "+run.Error)
	}
	return lines
}

const fitLegend = "Amdahl fit per range and schedule: T(p) = a + b/p by weighted least squares on the cell medians (weight 1/SE^2),\n" +
	"B = a/(a+b), T1 = a+b. AMDAHL is the speedup the fit predicts beside the measured SPEEDUP, RESID the cell's residual\n" +
	"in standard errors (out: not in the fit). CPU is (user+sys)/wall, the CPUs the trials kept busy; CONTENDED counts\n" +
	"trials during which other processes kept too many CPUs busy (see the warnings; out: left out by --exclude-contended)."

const gustafsonLegend = "Weak scaling: w workers test w times the range, so SPEEDUP is the scaled speedup w T(1)/T(w).\n" +
	"Gustafson fit per range and schedule: S(p) = p - alpha (p-1) by least squares over the cells with p > 1 (Gustafson 1988);\n" +
	"alpha is the serial fraction of the scaled run. GUSTAFSON is the scaled speedup the fit predicts."

// textStyle is how WriteTable and WriteMarkdown differ.
type textStyle struct {
	heading func(r *Report) string      // text before the run's header lines
	bullet  string                      // prefix of each header line
	sub     string                      // prefix of each line under a bullet
	grid    func(grid, io.Writer) error // renders a grid
	warning func(w string) string       // renders a run-level warning
	gap     string                      // written once before the warnings
}

var (
	aligned = textStyle{
		heading: func(*Report) string { return "" },
		grid:    grid.writeAligned,
		sub:     "  ",
		warning: func(w string) string { return "warning: " + w + "\n" },
		gap:     "\n",
	}
	markdown = textStyle{
		heading: func(r *Report) string { return fmt.Sprintf("## Run %d: %s\n\n", r.Run.ID, r.Run.Name) },
		bullet:  "- ",
		sub:     "  - ",
		grid:    grid.writeMarkdown,
		warning: func(w string) string { return "\n> warning: " + w + "\n" },
	}
)

// WriteTable writes the report as aligned text for a terminal.
func WriteTable(w io.Writer, r *Report) error { return writeText(w, r, aligned) }

// WriteMarkdown writes the report as GitHub-flavoured Markdown.
func WriteMarkdown(w io.Writer, r *Report) error { return writeText(w, r, markdown) }

// writeText lays out the header, cell table, fit legend and fit table, then
// the run's warnings, in style st.
func writeText(w io.Writer, r *Report, st textStyle) error {
	var b strings.Builder
	b.WriteString(st.heading(r))
	for _, l := range runHeader(r) {
		b.WriteString(st.bullet + l + "\n")
	}
	b.WriteString("\n")
	if err := st.grid(cellTable(r).grid(), &b); err != nil {
		return err
	}
	b.WriteString("\n" + Legend(r) + "\n\n")
	if err := st.grid(fitTable(r).grid(), &b); err != nil {
		return err
	}
	b.WriteString("\nModels per range and schedule (see README, Reading the report):\n")
	for _, f := range r.Fits {
		b.WriteString("\n" + st.bullet + r.Label(f.Range) + " " + string(f.Schedule) + "\n")
		for _, l := range ModelLines(r, f) {
			b.WriteString(st.sub + l + "\n")
		}
	}
	if len(r.Warnings) > 0 {
		b.WriteString(st.gap)
	}
	for _, wr := range r.Warnings {
		b.WriteString(st.warning(wr.Error()))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func missing(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }

// dur renders seconds with a unit and 4 significant digits.
func dur(s float64) string {
	if missing(s) {
		return "-"
	}
	// Round to 4 significant digits first, so that 0.99996 s reads 1s,
	// not 1000ms.
	r, _ := strconv.ParseFloat(strconv.FormatFloat(s, 'g', 4, 64), 64)
	switch a := math.Abs(r); {
	case a >= 1000 && a < 1e9:
		// 1h2m3s reads better than 3723s or 3.723e+03s.
		return (time.Duration(r * float64(time.Second))).Round(time.Second).String()
	case a >= 1:
		return fmt.Sprintf("%.4gs", r)
	case a >= 1e-3:
		return fmt.Sprintf("%.4gms", r*1e3)
	case a >= 1e-6:
		return fmt.Sprintf("%.4gµs", r*1e6)
	}
	return fmt.Sprintf("%.4gns", r*1e9)
}

func num(v float64, prec int) string {
	if math.IsInf(v, 1) {
		return "inf"
	}
	if missing(v) {
		return "-"
	}
	return fmt.Sprintf("%.*f", prec, v)
}

func pct(v float64) string {
	if missing(v) {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", v*100)
}

func interval(lo, hi float64, f func(float64) string) string {
	if missing(lo) || missing(hi) {
		return "-"
	}
	return "[" + f(lo) + ", " + f(hi) + "]"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func boundText(cpuBound bool) string {
	if cpuBound {
		return "CPU-bound: p = min(workers, usable CPUs)"
	}
	return "waits, not CPU-bound: p = workers"
}

// Label names a range for people, as every table of the report does:
// [start, +count) for numbers; for the synthetic kernel, whose range is its
// parallel work in 1 µs units, that work as a duration; for kernel command
// its input or the command.
func (r *Report) Label(rg experiment.Range) string {
	if r.Run.Command != nil {
		return r.commandLabel(rg)
	}
	if r.Run.Kernel == "synthetic" {
		return fmt.Sprintf("%v of work", time.Duration(rg.Count)*experiment.SyntheticUnit)
	}
	return rg.String()
}
