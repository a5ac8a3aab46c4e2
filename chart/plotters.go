package chart

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// markerRadius is the size of a marker, points; a shape's corners reach
// up to 1.3 times as far.
const markerRadius = vg.Length(3.5)

// points draws a series' speedups: each error bar as one path (the bar
// and its two caps), then each marker, moved dodge points sideways.
type points struct {
	pts   []Point
	sty   Style
	dodge vg.Length
}

// Plot implements plot.Plotter.
func (pp points) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	bar := draw.LineStyle{Color: pp.sty.Color, Width: vg.Points(1)}
	for _, pt := range pp.pts {
		if finite(pt.Low) && finite(pt.High) && pt.High > pt.Low {
			errorBar(&c, bar, trX(pt.P)+pp.dodge, trY(pt.Low), trY(pt.High))
		}
	}
	for _, pt := range pp.pts {
		at := vg.Point{X: trX(pt.P) + pp.dodge, Y: trY(pt.S)}
		if pt.Oversubscribed {
			ring(&c, at)
		}
		marker(&c, pp.sty, at, markerRadius)
	}
}

// GlyphBoxes implements plot.GlyphBoxer, so that the plot leaves room for
// the markers at its edges.
func (pp points) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	r := 2.2 * markerRadius // the ring of an oversubscribed point
	boxes := make([]plot.GlyphBox, len(pp.pts))
	for i, pt := range pp.pts {
		boxes[i] = plot.GlyphBox{X: p.X.Norm(pt.P), Y: p.Y.Norm(pt.S),
			Rectangle: vg.Rectangle{Min: vg.Point{X: pp.dodge - r, Y: -r}, Max: vg.Point{X: pp.dodge + r, Y: r}}}
	}
	return boxes
}

// errorBar strokes the vertical bar from lo to hi at x with its caps, as
// one path.
func errorBar(c *draw.Canvas, sty draw.LineStyle, x, lo, hi vg.Length) {
	capW := vg.Points(2.5)
	var path vg.Path
	path.Move(vg.Point{X: x - capW, Y: lo})
	path.Line(vg.Point{X: x + capW, Y: lo})
	path.Move(vg.Point{X: x, Y: lo})
	path.Line(vg.Point{X: x, Y: hi})
	path.Move(vg.Point{X: x - capW, Y: hi})
	path.Line(vg.Point{X: x + capW, Y: hi})
	c.SetLineStyle(sty)
	c.Stroke(path)
}

// ring circles an oversubscribed point.
func ring(c *draw.Canvas, at vg.Point) {
	r := 2.2 * markerRadius
	var path vg.Path
	path.Move(vg.Point{X: at.X + r, Y: at.Y})
	path.Arc(at, r, 0, 2*math.Pi)
	path.Close()
	c.SetLineStyle(draw.LineStyle{Color: ringGrey, Width: vg.Points(1)})
	c.Stroke(path)
}

// marker draws sty's marker at at: filled, or outlined on white.
func marker(c *draw.Canvas, sty Style, at vg.Point, r vg.Length) {
	path := shapePath(sty.Shape, at, r)
	if sty.Hollow {
		c.SetColor(color.White)
		c.Fill(path)
		c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: vg.Points(1.3)})
		c.Stroke(path)
		return
	}
	c.SetColor(sty.Color)
	c.Fill(path)
}

// shapePath is the closed outline of a marker of radius r centred at at.
func shapePath(s Shape, at vg.Point, r vg.Length) vg.Path {
	var path vg.Path
	polygon := func(n int, start float64, radii ...vg.Length) {
		for i := range n {
			a := start + 2*math.Pi*float64(i)/float64(n)
			rr := radii[i%len(radii)]
			pt := vg.Point{X: at.X + rr*vg.Length(math.Cos(a)), Y: at.Y + rr*vg.Length(math.Sin(a))}
			if i == 0 {
				path.Move(pt)
			} else {
				path.Line(pt)
			}
		}
		path.Close()
	}
	switch s % numShapes {
	case Circle:
		path.Move(vg.Point{X: at.X + r, Y: at.Y})
		path.Arc(at, r, 0, 2*math.Pi)
		path.Close()
	case Square:
		polygon(4, math.Pi/4, 1.2*r)
	case Triangle:
		polygon(3, math.Pi/2, 1.3*r)
	case Diamond:
		polygon(4, 0, 1.3*r)
	case InvertedTriangle:
		polygon(3, -math.Pi/2, 1.3*r)
	case Pentagon:
		polygon(5, math.Pi/2, 1.15*r)
	case Star:
		polygon(10, math.Pi/2, 1.3*r, 0.55*r)
	case Hexagon:
		polygon(6, 0, 1.1*r)
	}
	return path
}

// curve draws a function of p from p = 1 to the right edge, in pieces
// where it is finite and non-negative, clipped to the plot.
type curve struct {
	f   func(float64) float64
	sty draw.LineStyle
}

// Plot implements plot.Plotter.
func (cv curve) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	var lines [][]vg.Point
	var line []vg.Point
	const n = 240
	for i := 0; i <= n; i++ {
		x := 1 + (p.X.Max-1)*float64(i)/n
		y := cv.f(x)
		if !finite(y) || y < 0 {
			if len(line) > 1 {
				lines = append(lines, line)
			}
			line = nil
			continue
		}
		// Far outside the plot a curve only needs to leave it.
		line = append(line, vg.Point{X: trX(x), Y: trY(min(y, 4*p.Y.Max))})
	}
	if len(line) > 1 {
		lines = append(lines, line)
	}
	c.StrokeLines(cv.sty, c.ClipLinesXY(lines...)...)
}

// ceiling draws Amdahl's 1/B as a thin dashed line across the plot,
// labelled at its right end.
type ceiling struct {
	y     float64
	color color.RGBA
}

// Plot implements plot.Plotter.
func (cl ceiling) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	y := trY(cl.y)
	c.StrokeLine2(draw.LineStyle{Color: cl.color, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(2), vg.Points(3)}},
		c.Min.X, y, c.Max.X, y)
	ts := textStyle(8)
	ts.Color, ts.XAlign = cl.color, draw.XRight
	c.FillText(ts, vg.Point{X: c.Max.X - vg.Points(2), Y: y + vg.Points(2)}, "1/B = "+num(cl.y))
}

// markerThumb is a series' legend thumbnail: its marker.
type markerThumb struct{ sty Style }

// Thumbnail implements plot.Thumbnailer.
func (t markerThumb) Thumbnail(c *draw.Canvas) {
	marker(c, t.sty, c.Center(), markerRadius)
}

// lineThumb is a curve's legend thumbnail: a stretch of its line.
type lineThumb draw.LineStyle

// Thumbnail implements plot.Thumbnailer.
func (t lineThumb) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(draw.LineStyle(t), c.Min.X, y, c.Max.X, y)
}

// ringThumb is the oversubscribed mark's legend thumbnail.
type ringThumb struct{}

// Thumbnail implements plot.Thumbnailer.
func (ringThumb) Thumbnail(c *draw.Canvas) { ring(c, c.Center()) }

// ticks marks an axis at round numbers, 1, 2 or 5 times a power of ten
// apart, at most 8 of them, and no closer than minStep.
type ticks struct{ minStep float64 }

// Ticks implements plot.Ticker.
func (t ticks) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	if !(span > 0) || !finite(span) {
		return nil
	}
	mag := math.Pow(10, math.Floor(math.Log10(span/8)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if span/(m*mag) <= 8 {
			step = m * mag
			break
		}
	}
	step = max(step, t.minStep)
	var out []plot.Tick
	for k := math.Ceil(lo / step); k*step <= hi; k++ {
		v := k * step
		out = append(out, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', 6, 64)})
	}
	return out
}
