package chart

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// CeilingRatio is how far above the largest measured speedup (with its
// interval) a ceiling 1/B may lie and still be drawn; a higher one would
// squash the data, so the legend names it instead.
const CeilingRatio = 3

// CurveRatio bounds how far the fitted curves stretch the y axis: to at
// most this many times the largest measured speedup. The ideal line
// never stretches it.
const CurveRatio = 2

var (
	sans      = font.Font{Typeface: "Liberation", Variant: "Sans"}
	idealGrey = color.RGBA{0x99, 0x99, 0x99, 0xFF} // the ideal line
	ringGrey  = color.RGBA{0x55, 0x55, 0x55, 0xFF} // the ring of an oversubscribed point
	gridGrey  = color.RGBA{0xE4, 0xE4, 0xE4, 0xFF}
	margin    = vg.Points(8)
)

// layout is what drawing a Figure decides beyond its data: the axes'
// ranges, and which ceilings fit on the plot.
type layout struct {
	xmax, ymax float64 // the axes run from 0 to these
	ceiling    []bool  // per series: its ceiling is drawn
}

// layout computes the axes' ranges: x up to the largest P, y up to the
// largest speedup or interval end, drawn ceiling, or curve value (at most
// CurveRatio times the data), with a margin.
func (f *Figure) layout() layout {
	maxP, maxS := 0.0, 0.0
	for _, s := range f.Series {
		for _, pt := range drawable(s.Points) {
			maxP = max(maxP, pt.P)
			maxS = max(maxS, pt.S)
			if finite(pt.High) {
				maxS = max(maxS, pt.High)
			}
		}
	}
	lay := layout{xmax: max(maxP, 2), ceiling: make([]bool, len(f.Series))}
	curves := 0.0
	for _, s := range f.Series {
		for _, cv := range s.Curves {
			for _, pt := range sample(cv.F, 1, lay.xmax, 64) {
				curves = max(curves, pt[1])
			}
		}
	}
	ref := maxS
	if ref == 0 {
		ref = curves // no data: the curves set the scale
	} else {
		curves = min(curves, CurveRatio*maxS)
	}
	top := max(maxS, curves)
	for i, s := range f.Series {
		if finite(s.Ceiling) && s.Ceiling > 0 && s.Ceiling <= CeilingRatio*ref {
			lay.ceiling[i] = true
			top = max(top, s.Ceiling)
		}
	}
	if top <= 0 {
		top = lay.xmax
	}
	lay.xmax *= 1.04
	lay.ymax = top * 1.08
	return lay
}

// drawable are the points with a finite P and S.
func drawable(pts []Point) []Point {
	var out []Point
	for _, pt := range pts {
		if finite(pt.P) && finite(pt.S) {
			out = append(out, pt)
		}
	}
	return out
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// sample evaluates f at n+1 points from x0 to x1, keeping the finite,
// non-negative values.
func sample(f func(float64) float64, x0, x1 float64, n int) [][2]float64 {
	var out [][2]float64
	for i := 0; i <= n; i++ {
		x := x0 + (x1-x0)*float64(i)/float64(n)
		if y := f(x); finite(y) && y >= 0 {
			out = append(out, [2]float64{x, y})
		}
	}
	return out
}

// draw draws the figure on c: the title across the top, the plot on the
// left and the legend beside it on the right, where it hides no data.
func (f *Figure) draw(c draw.Canvas) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	c = draw.Crop(c, margin, -margin, margin, -margin)
	if f.Title != "" {
		ts := textStyle(11)
		ts.XAlign, ts.YAlign = draw.XCenter, draw.YTop
		c.FillText(ts, vg.Point{X: c.Center().X, Y: c.Max.Y}, f.Title)
		c.Max.Y -= ts.Height(f.Title) + margin
	}
	lay := f.layout()
	legend := f.fitLegend(lay, c)
	width := legend.Rectangle(c).Size().X
	legendC := c
	legendC.Min.X = c.Max.X - width
	legend.Draw(legendC)
	f.plot(lay).Draw(draw.Crop(c, 0, -(width + 2*margin), 0, 0))
}

// plot builds the gonum plot of the data, without the legend.
func (f *Figure) plot(lay layout) *plot.Plot {
	p := plot.New()
	p.BackgroundColor = nil
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 11)
		a.Tick.Label.Font = font.From(sans, 9)
		a.Padding = 0
	}
	p.X.Label.Text, p.Y.Label.Text = f.XLabel, f.YLabel
	p.X.Tick.Marker, p.Y.Tick.Marker = ticks{minStep: 1}, ticks{}
	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = gridGrey, gridGrey
	grid.Vertical.Width, grid.Horizontal.Width = vg.Points(0.5), vg.Points(0.5)
	p.Add(grid)
	if f.Ideal {
		p.Add(curve{f: func(x float64) float64 { return x }, sty: idealStyle()})
	}
	for i, s := range f.Series {
		if lay.ceiling[i] {
			p.Add(ceiling{y: s.Ceiling, color: s.Style.Color})
		}
	}
	for _, s := range f.Series {
		for _, cv := range s.Curves {
			p.Add(curve{f: cv.F, sty: curveStyle(s.Style, cv.Kind)})
		}
	}
	for i, s := range f.Series {
		p.Add(points{pts: drawable(s.Points), sty: s.Style, dodge: dodge(i, len(f.Series))})
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, lay.xmax, 0, lay.ymax
	return p
}

// dodge is how far, in points, the i-th of n series' markers are moved
// sideways, so that equal points of several series (every series has
// S = 1 at p = 1) stay visible.
func dodge(i, n int) vg.Length {
	step := min(4.5, 36/float64(n))
	return vg.Points(step * (float64(i) - float64(n-1)/2))
}

// fitLegend builds the legend with the largest font, from 9 points down to
// 5, at which it fits beside the plot: at most 45% of the width and the
// height of c.
func (f *Figure) fitLegend(lay layout, c draw.Canvas) plot.Legend {
	var l plot.Legend
	for size := 9.0; size >= 5; size -= 0.5 {
		l = f.legend(lay, vg.Points(size))
		r := l.Rectangle(c).Size()
		if r.X <= 0.45*(c.Max.X-c.Min.X) && r.Y <= c.Max.Y-c.Min.Y {
			break
		}
	}
	return l
}

// legend lists the ideal line, each series with its curves (and its
// ceiling, drawn or above the plot), the oversubscribed mark, and the
// notes.
func (f *Figure) legend(lay layout, size vg.Length) plot.Legend {
	l := plot.NewLegend()
	l.TextStyle = textStyle(size)
	l.Top, l.Left = true, true
	l.ThumbnailWidth = vg.Points(26)
	l.Padding = size * 0.3
	if f.Ideal {
		l.Add("ideal S = p", lineThumb(idealStyle()))
	}
	over := false
	for i, s := range f.Series {
		l.Add(s.Label, markerThumb{s.Style})
		for _, cv := range s.Curves {
			label := cv.Label
			if cv.Kind == KindAmdahl && finite(s.Ceiling) && s.Ceiling > 0 {
				label += "; ceiling 1/B = " + num(s.Ceiling)
				if !lay.ceiling[i] {
					label += ", above the plot"
				}
			}
			l.Add(label, lineThumb(curveStyle(s.Style, cv.Kind)))
		}
		for _, pt := range s.Points {
			over = over || pt.Oversubscribed
		}
	}
	if over {
		l.Add("oversubscribed (workers > CPUs), out of the fits", ringThumb{})
	}
	for _, n := range f.Notes {
		for _, line := range wrap(n, 60) {
			l.Add(line)
		}
	}
	return l
}

// wrap breaks s into lines of at most width characters at spaces.
func wrap(s string, width int) []string {
	var lines []string
	r := []rune(s)
	for len(r) > width {
		cut := width
		for cut > width/2 && r[cut] != ' ' {
			cut--
		}
		lines = append(lines, string(r[:cut]))
		r = []rune(string(r[cut:]))
		for len(r) > 0 && r[0] == ' ' {
			r = r[1:]
		}
	}
	return append(lines, string(r))
}

func textStyle(size vg.Length) text.Style {
	return text.Style{Color: color.Black, Font: font.From(sans, size), Handler: plot.DefaultTextHandler}
}

func idealStyle() draw.LineStyle {
	return draw.LineStyle{Color: idealGrey, Width: vg.Points(1)}
}

// curveStyle draws a law: the USL dotted and thinner, the others in the
// series' dash.
func curveStyle(s Style, kind string) draw.LineStyle {
	sty := draw.LineStyle{Color: s.Color, Width: vg.Points(1.4)}
	if kind == KindUSL {
		sty.Width, sty.Dashes = vg.Points(1.2), []vg.Length{vg.Points(1.2), vg.Points(2.4)}
		return sty
	}
	for _, d := range s.Dash {
		sty.Dashes = append(sty.Dashes, vg.Points(d))
	}
	return sty
}
