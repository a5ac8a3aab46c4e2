package chart

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/report"
	"github.com/exp-tool/exp/scaling"
)

// The axis labels, with their units.
const (
	XLabelProcessors = "effective processors p"
	YLabelSpeedup    = "speedup T(1)/T(p)"
	YLabelScaled     = "scaled speedup w·T(1)/T(w)"
	YLabelCapacity   = "relative capacity X(p)/X(1)"
)

// NoPointNote is the legend's note on a figure with no speedup to plot.
const NoPointNote = "no speedup to plot: a speedup needs a 1-worker cell (load 1) with measured trials"

// FromReport is the speedup plot of a run: one series per range and
// schedule (the report's fits), one point per cell with a speedup, with
// its interval; the Amdahl curve and ceiling 1/B where Amdahl's law was
// fitted, and the USL curve where the USL was; under weak scaling, the
// scaled speedups and the Gustafson curve instead.
func FromReport(rep *report.Report) *Figure {
	f := &Figure{Title: runTitle(rep, speedupWord(rep)+" against effective processors"), XLabel: XLabelProcessors,
		YLabel: yLabel(rep), Ideal: true}
	for i, fit := range rep.Fits {
		s := reportSeries(rep, fit, StyleOf(i), true)
		s.Label = groupLabel(rep, fit)
		f.Series = append(f.Series, s)
		f.Notes = append(f.Notes, fitNotes(rep, fit, s.Label)...)
	}
	f.noteIfEmpty()
	return f
}

// FromComparison plots both runs of a comparison: for each range and
// schedule, run A's speedups as filled markers with solid Amdahl curves and
// run B's as hollow markers with dashed ones, in one colour and marker
// shape per range and schedule. Ceilings are left out (exp compare prints
// both runs' B); under weak scaling the curves are Gustafson's.
func FromComparison(c *report.Comparison) *Figure {
	title := fmt.Sprintf("%s against effective processors: A = run %d %q (filled, solid), B = run %d %q (hollow, dashed)\nA: %s\nB: %s",
		speedupWord(c.A), c.A.Run.ID, c.A.Run.Name, c.B.Run.ID, c.B.Run.Name, runLine(c.A), runLine(c.B))
	f := &Figure{Title: title, XLabel: XLabelProcessors, YLabel: yLabel(c.A), Ideal: true}
	type key struct {
		rng      experiment.Range
		schedule experiment.Schedule
	}
	var keys []key
	fits := map[key][2]*report.Fit{}
	for side, rep := range []*report.Report{c.A, c.B} {
		for i := range rep.Fits {
			k := key{rep.Fits[i].Range, rep.Fits[i].Schedule}
			pair, seen := fits[k]
			if !seen {
				keys = append(keys, k)
			}
			pair[side] = &rep.Fits[i]
			fits[k] = pair
		}
	}
	for g, k := range keys {
		for side, rep := range []*report.Report{c.A, c.B} {
			fit := fits[k][side]
			if fit == nil {
				continue
			}
			sty := StyleOf(g)
			sty.Dash, sty.Hollow = nil, side == 1
			if side == 1 {
				sty.Dash = []float64{6, 3}
			}
			s := reportSeries(rep, *fit, sty, false)
			s.Label = fmt.Sprintf("%s, run %d: %s", "AB"[side:side+1], rep.Run.ID, groupLabel(rep, *fit))
			f.Series = append(f.Series, s)
		}
	}
	f.noteIfEmpty()
	return f
}

// FromMeasurements plots exp fit's loads: their speedups against P = 1
// (for throughput, the relative capacity X(p)/X(1)) with their intervals,
// and the Amdahl and USL curves where they were fitted.
func FromMeasurements(m *report.Measurements) *Figure {
	title := fmt.Sprintf("exp fit %s: %s over %s (%s)\n%s at %s; %s intervals",
		m.File, m.Y, m.X, m.Kind, plural(m.Rows, "row"), plural(len(m.Loads), "load"), percent(m.Confidence))
	yl := YLabelSpeedup
	if m.Kind == report.KindThroughput {
		yl = YLabelCapacity
	}
	s := Series{Label: "measured " + m.Y + " (median of each load)", Ceiling: math.NaN(), Style: StyleOf(0)}
	for _, l := range m.Loads {
		if !math.IsNaN(l.Speedup) {
			s.Points = append(s.Points, Point{P: l.P, S: l.Speedup, Low: l.Low, High: l.High})
		}
	}
	f := &Figure{Title: title, XLabel: "processors or load p (column " + m.X + ")", YLabel: yl, Ideal: true}
	if m.AmdahlErr == nil {
		s.Curves = append(s.Curves, amdahlCurve(m.Amdahl.Amdahl))
		s.Ceiling = m.Amdahl.MaxSpeedup()
	} else if m.Model != report.ModelUSL {
		f.Notes = append(f.Notes, "no Amdahl curve: "+m.AmdahlErr.Error())
	}
	if m.USLErr == nil {
		s.Curves = append(s.Curves, uslCurve(m.USL.USL))
	} else if m.Model != report.ModelAmdahl {
		f.Notes = append(f.Notes, "no USL curve: "+m.USLErr.Error())
	}
	f.Series = []Series{s}
	f.noteIfEmpty()
	return f
}

// reportSeries is the series of one fit of rep: its cells with a
// speedup, and its curves (the USL's only when withUSL).
func reportSeries(rep *report.Report, fit report.Fit, sty Style, withUSL bool) Series {
	s := Series{Ceiling: math.NaN(), Style: sty}
	for _, c := range rep.Cells {
		if c.RangeIndex != fit.RangeIndex || c.Schedule != fit.Schedule || math.IsNaN(c.Speedup) {
			continue
		}
		pt := Point{P: float64(c.Processors), S: c.Speedup, Low: c.SpeedupLow, High: c.SpeedupHigh, Workers: c.Workers}
		if slices.ContainsFunc(c.Warnings, func(w error) bool { return errors.Is(w, report.ErrOversubscribed) }) {
			pt.P, pt.Oversubscribed = float64(c.Workers), true
		}
		s.Points = append(s.Points, pt)
	}
	switch {
	case rep.Run.Scaling == experiment.ScalingWeak:
		if fit.GustafsonErr == nil {
			g := fit.Gustafson.Gustafson
			s.Curves = append(s.Curves, Curve{Label: "Gustafson, α = " + num(g.Alpha), Kind: KindGustafson, F: g.ScaledSpeedup})
		}
	case fit.AmdahlErr == nil:
		s.Curves = append(s.Curves, amdahlCurve(fit.Amdahl.Amdahl))
		if withUSL {
			s.Ceiling = fit.Amdahl.MaxSpeedup()
		}
	}
	if withUSL && rep.Run.Scaling != experiment.ScalingWeak && fit.USLErr == nil {
		s.Curves = append(s.Curves, uslCurve(fit.USL.USL))
	}
	return s
}

func amdahlCurve(m scaling.Amdahl) Curve {
	return Curve{Label: "Amdahl, B = " + num(m.B), Kind: KindAmdahl, F: m.Speedup}
}

func uslCurve(m scaling.USL) Curve {
	return Curve{Label: "USL, σ = " + num(m.Sigma) + ", κ = " + num(m.Kappa), Kind: KindUSL, F: m.Speedup}
}

// fitNotes say why a series of rep has no curve of its law.
func fitNotes(rep *report.Report, fit report.Fit, label string) []string {
	err, law := fit.AmdahlErr, "Amdahl"
	if rep.Run.Scaling == experiment.ScalingWeak {
		err, law = fit.GustafsonErr, "Gustafson"
	}
	if err == nil {
		return nil
	}
	return []string{fmt.Sprintf("%s: no %s curve: %v", label, law, err)}
}

func (f *Figure) noteIfEmpty() {
	for _, s := range f.Series {
		if len(s.Points) > 0 {
			return
		}
	}
	f.Notes = append([]string{NoPointNote}, f.Notes...)
}

// runTitle is the title of a plot of one run: what, then the run.
func runTitle(rep *report.Report, what string) string {
	return fmt.Sprintf("%s: %s\n%s", rep.Run.Name, what, runLine(rep))
}

// runLine names a run, its host and its date, and the intervals' level.
func runLine(rep *report.Report) string {
	r := rep.Run
	machine := r.Host.Hostname
	if r.Host.CPUModel != "" {
		machine += ", " + r.Host.CPUModel
	}
	return fmt.Sprintf("run %d (%s) on %s (%s), %s; %s intervals", r.ID, r.UUID[:min(8, len(r.UUID))], machine,
		plural(rep.UsableCPUs, "usable CPU"), r.StartedAt.UTC().Format(time.DateOnly), percent(rep.Thresholds.Confidence))
}

func speedupWord(rep *report.Report) string {
	if rep.Run.Scaling == experiment.ScalingWeak {
		return "scaled speedup"
	}
	return "speedup"
}

func yLabel(rep *report.Report) string {
	if rep.Run.Scaling == experiment.ScalingWeak {
		return YLabelScaled
	}
	return YLabelSpeedup
}

// groupLabel names a fit's range and schedule, as "[1e13, +1000)
// per-item"; the synthetic kernel's range is its work, "90ms of work".
func groupLabel(rep *report.Report, fit report.Fit) string {
	rng := fmt.Sprintf("[%s, +%d)", compact(fit.Range.Start), fit.Range.Count)
	if rep.Run.Kernel == "synthetic" {
		rng = fmt.Sprintf("%v of work", time.Duration(fit.Range.Count)*experiment.SyntheticUnit)
	}
	return rng + " " + string(fit.Schedule)
}

// compact writes a power of ten from 1000 up as 1eK, other numbers in
// full.
func compact(n uint64) string {
	s := strconv.FormatUint(n, 10)
	if len(s) > 3 && s[0] == '1' && strings.Trim(s[1:], "0") == "" {
		return "1e" + strconv.Itoa(len(s)-1)
	}
	return s
}

// num renders a fitted parameter with 3 significant digits.
func num(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }

func percent(conf float64) string { return strconv.FormatFloat(conf*100, 'g', -1, 64) + "%" }

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
