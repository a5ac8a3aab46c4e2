package chart

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/report"
)

// wantSeries is what a series of the fixture must hold.
type wantSeries struct {
	label  string
	points int      // cells with a speedup
	bars   int      // points with an interval wider than nothing
	over   []int    // workers of the oversubscribed points
	kinds  []string // curves, in order
}

func checkSeries(t *testing.T, f *Figure, want []wantSeries) {
	t.Helper()
	if len(f.Series) != len(want) {
		t.Fatalf("%d series, want %d", len(f.Series), len(want))
	}
	for i, w := range want {
		s := f.Series[i]
		if s.Label != w.label {
			t.Errorf("series %d: label %q, want %q", i, s.Label, w.label)
		}
		bars := 0
		var over []int
		var kinds []string
		for _, pt := range s.Points {
			if pt.High > pt.Low {
				bars++
			}
			if pt.Oversubscribed {
				over = append(over, pt.Workers)
				if pt.P != float64(pt.Workers) {
					t.Errorf("%s: oversubscribed point at P = %g, want its workers %d", s.Label, pt.P, pt.Workers)
				}
			}
		}
		for _, cv := range s.Curves {
			kinds = append(kinds, cv.Kind)
		}
		if len(s.Points) != w.points || bars != w.bars || !slices.Equal(over, w.over) || !slices.Equal(kinds, w.kinds) {
			t.Errorf("%s: %d points, %d error bars, oversubscribed %d, curves %v; want %d, %d, %d, %v",
				s.Label, len(s.Points), bars, len(over), kinds, w.points, w.bars, len(w.over), w.kinds)
		}
	}
}

func TestFromReport(t *testing.T) {
	rep := fixtureReport(t)
	f := FromReport(rep)
	both := []string{KindAmdahl, KindUSL}
	checkSeries(t, f, []wantSeries{
		{"[1e13, +1000) chunked", 5, 4, []int{8}, both},
		// The 3-worker cell has one trial: a speedup without an interval.
		{"[1e13, +1000) static", 5, 3, []int{8}, both},
		{"[123, +2000) chunked", 5, 4, []int{8}, both},
	})
	for _, w := range []string{"fixture", "run 3 (01890a5d)", "box, Test CPU", "4 usable CPUs", "2026-01-02", "95% intervals"} {
		if !strings.Contains(f.Title, w) {
			t.Errorf("title %q lacks %q", f.Title, w)
		}
	}
	if f.XLabel != XLabelProcessors || f.YLabel != YLabelSpeedup || !f.Ideal || len(f.Notes) != 0 {
		t.Errorf("labels %q, %q, ideal %v, notes %q", f.XLabel, f.YLabel, f.Ideal, f.Notes)
	}
	// Each point is its cell's speedup and interval, at its effective
	// processors (an oversubscribed one at its workers).
	for i, fit := range rep.Fits {
		s := f.Series[i]
		k := 0
		for _, c := range rep.Cells {
			if c.RangeIndex != fit.RangeIndex || c.Schedule != fit.Schedule {
				continue
			}
			pt := s.Points[k]
			k++
			p := float64(c.Processors)
			if c.Workers > rep.UsableCPUs {
				p = float64(c.Workers)
			}
			if pt.P != p || pt.S != c.Speedup || !same(pt.Low, c.SpeedupLow) || !same(pt.High, c.SpeedupHigh) || pt.Workers != c.Workers {
				t.Errorf("%s: point %+v, want cell %d-worker P %g S %g [%g, %g]", s.Label, pt, c.Workers, p, c.Speedup, c.SpeedupLow, c.SpeedupHigh)
			}
		}
		for _, p := range []float64{1, 2.5, 16} {
			if got, want := s.Curves[0].F(p), fit.Amdahl.Speedup(p); got != want {
				t.Errorf("%s: Amdahl curve at %g = %g, want %g", s.Label, p, got, want)
			}
			if got, want := s.Curves[1].F(p), fit.USL.Speedup(p); got != want {
				t.Errorf("%s: USL curve at %g = %g, want %g", s.Label, p, got, want)
			}
		}
		if s.Ceiling != fit.Amdahl.MaxSpeedup() || !(s.Ceiling > 1) {
			t.Errorf("%s: ceiling %g, want 1/B = %g", s.Label, s.Ceiling, fit.Amdahl.MaxSpeedup())
		}
	}
	checkDistinct(t, f)
}

// checkDistinct checks that every two series differ in marker (shape or
// fill) and in colour, so that neither is needed alone.
func checkDistinct(t *testing.T, f *Figure) {
	t.Helper()
	for i, a := range f.Series {
		for _, b := range f.Series[i+1:] {
			if a.Style.Shape == b.Style.Shape && a.Style.Hollow == b.Style.Hollow {
				t.Errorf("%q and %q have the same marker", a.Label, b.Label)
			}
		}
	}
}

func same(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

func TestFromReportWeak(t *testing.T) {
	run, cells, trials := fixtureRun(experiment.ScalingWeak, threeGroups[:2], []int{1, 2, 4})
	rep := report.Build(run, cells, trials, report.DefaultThresholds)
	f := FromReport(rep)
	checkSeries(t, f, []wantSeries{
		{"[1e13, +1000) chunked", 3, 2, nil, []string{KindGustafson}},
		{"[1e13, +1000) static", 3, 2, nil, []string{KindGustafson}},
	})
	if f.YLabel != YLabelScaled || !strings.Contains(f.Title, "scaled speedup") {
		t.Errorf("weak scaling: y label %q, title %q", f.YLabel, f.Title)
	}
	for i, s := range f.Series {
		if !math.IsNaN(s.Ceiling) {
			t.Errorf("%s: ceiling %g under weak scaling", s.Label, s.Ceiling)
		}
		if got, want := s.Curves[0].F(4), rep.Fits[i].Gustafson.ScaledSpeedup(4); got != want {
			t.Errorf("%s: Gustafson curve at 4 = %g, want %g", s.Label, got, want)
		}
	}
}

// TestFromReportNoSpeedup: without 1-worker cells nothing has a speedup;
// the figure says so and still draws.
func TestFromReportNoSpeedup(t *testing.T) {
	run, cells, trials := fixtureRun(experiment.ScalingStrong, threeGroups[:1], []int{2, 4})
	f := FromReport(report.Build(run, cells, trials, report.DefaultThresholds))
	if len(f.Series) != 1 || len(f.Series[0].Points) != 0 || len(f.Notes) == 0 || f.Notes[0] != NoPointNote {
		t.Fatalf("series %+v, notes %q: want one empty series and the note", f.Series, f.Notes)
	}
	var b strings.Builder
	if err := f.WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	doc := parseSVG(t, []byte(b.String()))
	if !doc.hasText(wrap(NoPointNote, 60)[0]) {
		t.Errorf("the SVG does not show the note %q", NoPointNote)
	}
}

func TestFromComparison(t *testing.T) {
	runA, cellsA, trialsA := fixtureRun(experiment.ScalingStrong, threeGroups, []int{1, 2, 3, 4, 8})
	runB, cellsB, trialsB := fixtureRun(experiment.ScalingStrong, threeGroups[1:], []int{1, 2, 4})
	runB.ID, runB.Name = 9, "again"
	c := report.Compare(report.Side{Run: runA, Cells: cellsA, Trials: trialsA}, report.Side{Run: runB, Cells: cellsB, Trials: trialsB},
		report.CompareOptions{})
	f := FromComparison(c)
	amdahl := []string{KindAmdahl}
	checkSeries(t, f, []wantSeries{
		{"A, run 3: [1e13, +1000) chunked", 5, 4, []int{8}, amdahl},
		{"A, run 3: [1e13, +1000) static", 5, 3, []int{8}, amdahl},
		{"B, run 9: [1e13, +1000) static", 3, 2, nil, amdahl},
		{"A, run 3: [123, +2000) chunked", 5, 4, []int{8}, amdahl},
		{"B, run 9: [123, +2000) chunked", 3, 2, nil, amdahl},
	})
	checkDistinct(t, f)
	// A and B of one range and schedule share colour and shape; A is
	// filled and solid, B hollow and dashed.
	for _, pair := range [][2]int{{1, 2}, {3, 4}} {
		a, b := f.Series[pair[0]].Style, f.Series[pair[1]].Style
		if a.Color != b.Color || a.Shape != b.Shape || a.Hollow || !b.Hollow || a.Dash != nil || b.Dash == nil {
			t.Errorf("A %+v and B %+v: want one colour and shape, A filled and solid, B hollow and dashed", a, b)
		}
	}
	for _, w := range []string{`A = run 3 "fixture"`, `B = run 9 "again"`, "A: run 3 (01890a5d) on box"} {
		if !strings.Contains(f.Title, w) {
			t.Errorf("title %q lacks %q", f.Title, w)
		}
	}
}

func TestFromMeasurements(t *testing.T) {
	// Gunther's raytracer benchmark, as exp fit reads it.
	x := []float64{1, 4, 8, 12, 16, 20, 24, 28, 32, 48, 64}
	y := []float64{20, 78, 130, 170, 190, 200, 210, 230, 260, 280, 310}
	m := report.AnalyzeMeasurements("ray.csv", "processors", "throughput", report.KindThroughput, report.ModelBoth, x, y, 0.95)
	f := FromMeasurements(m)
	checkSeries(t, f, []wantSeries{{"measured throughput (median of each load)", 11, 0, nil, []string{KindAmdahl, KindUSL}}})
	if f.YLabel != YLabelCapacity || !strings.Contains(f.XLabel, "processors") || !strings.Contains(f.Title, "ray.csv") {
		t.Errorf("labels %q, %q, title %q", f.XLabel, f.YLabel, f.Title)
	}
	for i, l := range m.Loads {
		if pt := f.Series[0].Points[i]; pt.P != l.P || pt.S != l.Speedup {
			t.Errorf("point %d = %+v, want load %+v", i, pt, l)
		}
	}
	if s := f.Series[0]; s.Curves[1].F(32) != m.USL.Speedup(32) || s.Ceiling != m.Amdahl.MaxSpeedup() {
		t.Errorf("USL curve or ceiling differ from the fit")
	}

	t.Run("Time", func(t *testing.T) {
		// Two rows per load: each speedup has an interval.
		x := []float64{1, 1, 2, 2, 4, 4}
		y := []float64{10, 10.2, 5.6, 5.5, 3.1, 3.2}
		m := report.AnalyzeMeasurements("t.csv", "p", "t", report.KindTime, report.ModelAmdahl, x, y, 0.95)
		f := FromMeasurements(m)
		checkSeries(t, f, []wantSeries{{"measured t (median of each load)", 3, 2, nil, []string{KindAmdahl}}})
		if f.YLabel != YLabelSpeedup || len(f.Notes) != 0 {
			t.Errorf("y label %q, notes %q", f.YLabel, f.Notes)
		}
	})
	t.Run("NoLoadOfOne", func(t *testing.T) {
		m := report.AnalyzeMeasurements("n.csv", "p", "t", report.KindTime, report.ModelBoth, []float64{2, 4, 8}, []float64{5, 3, 2}, 0.95)
		f := FromMeasurements(m)
		if len(f.Series[0].Points) != 0 || len(f.Notes) == 0 || f.Notes[0] != NoPointNote {
			t.Errorf("points %v, notes %q: want none and the note", f.Series[0].Points, f.Notes)
		}
	})
}
