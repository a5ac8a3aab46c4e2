package chart

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"math"
	"testing"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/report"
)

// figures are the figures of every kind the tests draw.
func figures(t *testing.T) map[string]*Figure {
	t.Helper()
	runA, cellsA, trialsA := fixtureRun(experiment.ScalingStrong, threeGroups, []int{1, 2, 3, 4, 8})
	runB, cellsB, trialsB := fixtureRun(experiment.ScalingStrong, threeGroups[1:], []int{1, 2, 4})
	runB.ID = 9
	weakRun, weakCells, weakTrials := fixtureRun(experiment.ScalingWeak, threeGroups[:2], []int{1, 2, 4})
	x := []float64{1, 1, 2, 2, 4, 4, 8, 8}
	y := []float64{10, 10.3, 5.6, 5.5, 3.1, 3.3, 2.2, 2.1}
	return map[string]*Figure{
		"Report": FromReport(report.Build(runA, cellsA, trialsA, report.DefaultThresholds)),
		"Compare": FromComparison(report.Compare(report.Side{Run: runA, Cells: cellsA, Trials: trialsA},
			report.Side{Run: runB, Cells: cellsB, Trials: trialsB}, report.CompareOptions{})),
		"Weak": FromReport(report.Build(weakRun, weakCells, weakTrials, report.DefaultThresholds)),
		"Fit":  FromMeasurements(report.AnalyzeMeasurements("t.csv", "p", "t", report.KindTime, report.ModelBoth, x, y, 0.95)),
	}
}

// TestSVG parses each figure's SVG: a legend entry per series beside the
// plot, a marker per point where its P and S put it, an error bar per
// interval from Low to High, all inside the axes.
func TestSVG(t *testing.T) {
	for name, f := range figures(t) {
		t.Run(name, func(t *testing.T) { checkSVG(t, f, svgOf(t, f)) })
	}
}

// TestSVGDetectsAWrongPlot makes sure checkSVG fails on an SVG that is
// not the figure's: a point moved, an interval changed, a label renamed,
// a blank drawing.
func TestSVGDetectsAWrongPlot(t *testing.T) {
	for name, change := range map[string]func(f *Figure){
		"PointMoved":      func(f *Figure) { f.Series[1].Points[2].S *= 1.1 },
		"PointMovedRight": func(f *Figure) { f.Series[0].Points[1].P = 2.5 },
		"IntervalChanged": func(f *Figure) { f.Series[2].Points[3].Low *= 0.98 },
		"IntervalAdded":   func(f *Figure) { f.Series[1].Points[2].Low, f.Series[1].Points[2].High = 2, 2.5 },
		"PointAdded":      func(f *Figure) { f.Series[0].Points = append(f.Series[0].Points, Point{P: 5, S: 3}) },
		"LabelRenamed":    func(f *Figure) { f.Series[0].Label += "!" },
		"Blank":           func(f *Figure) { *f = Figure{Series: f.Series} },
	} {
		t.Run(name, func(t *testing.T) {
			drawn := figures(t)["Report"]
			svg := svgOf(t, drawn)
			if name == "Blank" {
				svg = svgOf(t, &Figure{})
			}
			f := figures(t)["Report"]
			change(f)
			var r recorder
			r.run(func(t tb) { checkSVG(t, f, svg) })
			if len(r.failures) == 0 {
				t.Error("checkSVG passed an SVG that does not draw the figure")
			}
		})
	}
}

// TestPlotRanges checks that the axes contain every point and every end of
// an error bar, and every drawn ceiling.
func TestPlotRanges(t *testing.T) {
	for name, f := range figures(t) {
		lay := f.layout()
		p := f.plot(lay)
		for _, s := range f.Series {
			for _, pt := range s.Points {
				for _, y := range []float64{pt.S, pt.Low, pt.High} {
					if !(pt.P > p.X.Min && pt.P < p.X.Max) || !math.IsNaN(y) && !(y >= p.Y.Min && y < p.Y.Max) {
						t.Errorf("%s: %s: (%g, %g) outside [%g, %g]x[%g, %g]", name, s.Label, pt.P, y, p.X.Min, p.X.Max, p.Y.Min, p.Y.Max)
					}
				}
			}
		}
		for i, s := range f.Series {
			if lay.ceiling[i] && !(s.Ceiling < p.Y.Max) {
				t.Errorf("%s: %s: drawn ceiling %g above the axis %g", name, s.Label, s.Ceiling, p.Y.Max)
			}
		}
	}
}

// TestCeilingAbovePlot: a ceiling far above the data is named in the
// legend, and does not stretch the axis.
func TestCeilingAbovePlot(t *testing.T) {
	f := figures(t)["Report"]
	lay := f.layout()
	doc := parseSVG(t, svgOf(t, f))
	for i, s := range f.Series {
		text := s.Curves[0].Label + "; ceiling 1/B = " + num(s.Ceiling)
		if above := s.Ceiling > CeilingRatio*4; above {
			text += ", above the plot"
		}
		if !doc.hasText(text) {
			t.Errorf("%s: legend lacks %q", s.Label, text)
		}
		if lay.ceiling[i] == (s.Ceiling > lay.ymax) {
			t.Errorf("%s: ceiling %g drawn %v with the axis at %g", s.Label, s.Ceiling, lay.ceiling[i], lay.ymax)
		}
	}
	if lay.ymax > 2*CurveRatio*4 {
		t.Errorf("y axis up to %g for speedups below 4", lay.ymax)
	}
}

func TestPNG(t *testing.T) {
	f := figures(t)["Report"]
	f.Width, f.Height, f.DPI = 6, 4, 100
	var b bytes.Buffer
	if err := f.Write(&b, "png"); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds().Size(); got != (image.Point{600, 400}) {
		t.Errorf("size %v, want 600x400", got)
	}
	counts := map[string]int{}
	ink := 0
	for y := range img.Bounds().Dy() {
		for x := range img.Bounds().Dx() {
			c := img.At(x, y)
			counts[hexColor(c)]++
			if hexColor(c) != "#FFFFFF" {
				ink++
			}
		}
	}
	if ink < 600*400/50 {
		t.Errorf("%d pixels not white: an empty plot?", ink)
	}
	for _, s := range f.Series {
		if col := hexColor(s.Style.Color); counts[col] < 20 {
			t.Errorf("%s: %d pixels of its colour %s", s.Label, counts[col], col)
		}
	}
}

func TestFormatOf(t *testing.T) {
	for path, want := range map[string]string{"a.svg": "svg", "dir/b.PNG": "png", "c.Svg": "svg"} {
		if got, err := FormatOf(path); got != want || err != nil {
			t.Errorf("FormatOf(%q) = %q, %v; want %q", path, got, err, want)
		}
	}
	for _, path := range []string{"a.gif", "svg", "a.svg.txt", ""} {
		if _, err := FormatOf(path); !errors.Is(err, ErrFormat) {
			t.Errorf("FormatOf(%q): err %v, want ErrFormat", path, err)
		}
	}
	if err := (&Figure{}).Write(&bytes.Buffer{}, "gif"); !errors.Is(err, ErrFormat) {
		t.Errorf("Write gif: %v, want ErrFormat", err)
	}
}

// TestEmptyFigure: a figure with nothing in it still draws.
func TestEmptyFigure(t *testing.T) {
	for _, format := range Formats {
		var b bytes.Buffer
		if err := (&Figure{}).Write(&b, format); err != nil || b.Len() == 0 {
			t.Errorf("%s: %v, %d bytes", format, err, b.Len())
		}
	}
}

func BenchmarkWriteSVG(b *testing.B) {
	f := FromReport(fixtureReport(b))
	for b.Loop() {
		if err := f.WriteSVG(&bytes.Buffer{}); err != nil {
			b.Fatal(err)
		}
	}
}
