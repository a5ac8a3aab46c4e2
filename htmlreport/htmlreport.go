// Package htmlreport renders the report of one run as a single
// self-contained HTML page: the run's metadata, every warning, the plots
// it is given, the cell table, the fit table and the models of each fit,
// with every value formatted as exp report's text table prints it
// (report.CellTable, report.FitTable, report.ModelLines).
//
// The page loads nothing: its style is inline, it has no script, and a plot
// that would run a script or fetch anything is refused (ErrUnsafeSVG). It
// reads well from a phone (tables scroll sideways in their own box, plots
// shrink to the width) to a desktop. It does not draw the plots: the caller
// passes them as SVG documents, so that this package depends on the report
// alone. All text goes through html/template, so a run name or a warning
// cannot inject markup.
package htmlreport

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/report"
)

// Format is the --format of exp report that Write renders.
const Format report.Format = "html"

// Plot is one figure of the page.
type Plot struct {
	// Title names the plot for screen readers and search: the figure's
	// caption and the SVG's aria-label, plain text. It is not drawn: the
	// plot draws its own heading.
	Title string
	// SVG is an SVG document, inlined in the page: an XML prolog, doctype
	// and comments around the root element are dropped, and the root's
	// width and height give way to the page's width (its viewBox is kept,
	// or made from them).
	SVG []byte
}

//go:embed page.html.tmpl
var pageSource string

var page = template.Must(template.New("page").Parse(pageSource))

// Write renders rep and plots, in order, as one HTML document on w. It
// returns an error wrapping ErrNotSVG or ErrUnsafeSVG, and writes nothing,
// when a plot is not an SVG document or would run a script or load
// anything; otherwise only w's errors.
func Write(w io.Writer, rep *report.Report, plots []Plot) error {
	data, err := newPage(rep, plots)
	if err != nil {
		return err
	}
	var b strings.Builder
	if err := page.Execute(&b, data); err != nil {
		return fmt.Errorf("render html: %w", err)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	return nil
}

// pageData is what the template shows.
type pageData struct {
	Title    string
	Run      experiment.Run
	Started  string // when the run started, as Meta shows it
	Meta     []field
	Warnings []warningGroup
	NWarning int // warnings in all groups
	// RunWarnings are the run's warnings, shown first; NDetail counts
	// those of fits and cells.
	RunWarnings []string
	NDetail     int
	Plots       []plotData
	Cells       report.Table
	Fits        report.Table
	Legend      string
	Models      []modelData
}

// field is one line of the run's metadata.
type field struct{ Key, Value string }

// warningGroup lists the warnings of the run, its fits or its cells; Where
// names the fit or cell of each, and is empty for the run's.
type warningGroup struct {
	Title string
	Items []warningItem
}

type warningItem struct{ Where, Text string }

type plotData struct {
	Title string
	SVG   template.HTML
}

// modelData are the model lines of one fit; Warning marks a line that is
// a warning.
type modelData struct {
	Heading string
	Lines   []modelLine
}

type modelLine struct {
	Text    string
	Warning bool
}

func newPage(rep *report.Report, plots []Plot) (pageData, error) {
	run := rep.Run
	p := pageData{
		Title:   fmt.Sprintf("exp report: run %d, %s", run.ID, run.Name),
		Run:     run,
		Started: stamp(run.StartedAt),
		Meta:    metadata(rep),
		Cells:   report.CellTable(rep),
		Fits:    report.FitTable(rep),
		Legend:  report.Legend(rep),
	}
	for i, pl := range plots {
		title := pl.Title
		if title == "" {
			title = "Plot " + strconv.Itoa(i+1)
		}
		svg, err := inlineSVG(pl.SVG, title)
		if err != nil {
			return p, fmt.Errorf("plot %q: %w", title, err)
		}
		p.Plots = append(p.Plots, plotData{Title: pl.Title, SVG: svg})
	}
	for _, f := range rep.Fits {
		m := modelData{Heading: rep.Label(f.Range) + " " + string(f.Schedule)}
		for _, l := range report.ModelLines(rep, f) {
			text, warning := strings.CutPrefix(strings.TrimSpace(l), "warning: ")
			m.Lines = append(m.Lines, modelLine{Text: text, Warning: warning})
		}
		p.Models = append(p.Models, m)
	}
	p.Warnings = warnings(rep, p.Cells, p.Fits)
	for _, g := range p.Warnings {
		p.NWarning += len(g.Items)
	}
	for _, w := range rep.Warnings {
		p.RunWarnings = append(p.RunWarnings, w.Error())
	}
	p.NDetail = p.NWarning - len(p.RunWarnings)
	return p, nil
}

// warnings gathers every warning of rep: the run's, each fit's (its row of
// the fit table and its models'), and each cell's.
func warnings(rep *report.Report, cells, fits report.Table) []warningGroup {
	var groups []warningGroup
	add := func(title string, items []warningItem) {
		if len(items) > 0 {
			groups = append(groups, warningGroup{title, items})
		}
	}
	var items []warningItem
	for _, w := range rep.Warnings {
		items = append(items, warningItem{Text: w.Error()})
	}
	add("Run", items)
	items = nil
	for i, f := range rep.Fits {
		where := rep.Label(f.Range) + " " + string(f.Schedule)
		ws := fits.Rows[i].Warnings
		if rep.Run.Scaling != experiment.ScalingWeak {
			ws = append(append(ws[:len(ws):len(ws)], f.KarpFlatt.Warnings...), uslWarnings(f)...)
		}
		for _, w := range ws {
			items = append(items, warningItem{Where: where, Text: w.Error()})
		}
	}
	add("Fits", items)
	items = nil
	for i, row := range cells.Rows {
		c := rep.Cells[i]
		where := fmt.Sprintf("%s %s, %d worker", rep.Label(c.Range), c.Schedule, c.Workers)
		if c.Workers != 1 {
			where += "s"
		}
		for _, w := range row.Warnings {
			items = append(items, warningItem{Where: where, Text: w.Error()})
		}
	}
	add("Cells", items)
	return groups
}

// uslWarnings are the warnings of f's USL, if it has one.
func uslWarnings(f report.Fit) []error {
	if f.USLErr != nil {
		return nil
	}
	return f.USL.Warnings
}

// metadata lists what the run was and where it ran.
func metadata(rep *report.Report) []field {
	run, h := rep.Run, rep.Run.Host
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	kernel := run.Kernel + ", waits (p = workers)"
	if run.CPUBound {
		kernel = run.Kernel + ", CPU-bound (p = min(workers, usable CPUs))"
	}
	status := string(run.Status)
	if run.Error != "" {
		status += ": " + run.Error
	}
	usable := fmt.Sprintf("%d (NumCPU %d, GOMAXPROCS %d", rep.UsableCPUs, h.NumCPU, h.GOMAXPROCS)
	if h.CgroupCPULimit > 0 {
		usable += ", cgroup limit " + strconv.FormatFloat(h.CgroupCPULimit, 'g', 4, 64)
	}
	usable += ")"
	version := dash(h.ExpVersion)
	if h.VCSRevision != "" {
		version += " " + h.VCSRevision
		if h.VCSModified {
			version += "+dirty"
		}
	}
	fs := []field{
		{"Name", run.Name},
		{"Run", strconv.FormatInt(run.ID, 10)},
		{"UUID", run.UUID},
		{"Status", status},
	}
	if run.Reproduces != "" {
		fs = append(fs, field{"Reproduces", run.Reproduces})
	}
	fs = append(fs, field{"Started", stamp(run.StartedAt)}, field{"Finished", stamp(run.FinishedAt)})
	if !run.FinishedAt.IsZero() {
		fs = append(fs, field{"Duration", run.FinishedAt.Sub(run.StartedAt).Round(time.Second).String()})
	}
	repeats := fmt.Sprintf("%d repeats", run.Repeats)
	if a := run.Adaptive(); a != nil {
		repeats = "repeats " + a.String() + ", until precise"
	}
	fs = append(fs,
		field{"Kernel", kernel},
		field{"Scaling", dash(run.Scaling)},
		field{"Trials per cell", fmt.Sprintf("%s + %d warmup", repeats, run.Warmup)},
		field{"Seed", strconv.FormatInt(run.Seed, 10)},
		field{"Chunk", strconv.Itoa(run.Chunk)},
		field{"Experiment file", dash(run.ConfigPath)},
		field{"File SHA-256", dash(run.ConfigSHA256)},
		field{"Host", dash(h.Hostname)},
		field{"CPU", dash(h.CPUModel)},
		field{"Usable CPUs", usable},
		field{"CPU governor", dash(h.CPUGovernor)},
		field{"OS kernel", strings.TrimSpace(dash(h.KernelRelease) + " " + h.OS + "/" + h.Arch)},
		field{"exp version", version},
		field{"Go version", dash(h.GoVersion)},
		field{"Confidence", strconv.FormatFloat(rep.Thresholds.Confidence*100, 'f', -1, 64) + "% intervals"},
	)
	if s := report.ShardsText(rep); s != "" {
		fs = append(fs, field{"Shards", strings.TrimPrefix(s, "shards ")})
	}
	if rep.Thresholds.ExcludeContended {
		fs = append(fs, field{"Contended trials", "left out of every statistic (--exclude-contended)"})
	}
	return fs
}

// stamp renders a time as the text report does, "-" when zero.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(time.RFC3339)
}
