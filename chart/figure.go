// Package chart draws exp's scaling plots: measured speedups with their
// confidence intervals against effective processors, the fitted laws of
// scaling (Amdahl, the USL, Gustafson), the ideal line S = p and Amdahl's
// ceiling 1/B, as SVG or PNG, with gonum.org/v1/plot.
//
// A Figure is the plot's data and labels, built from a report.Report, a
// report.Comparison or report.Measurements, and independent of gonum, so
// that tests and other renderers can inspect it. chart computes nothing
// statistical itself (package report does) and writes to an io.Writer: it
// never opens a file. Every series is told apart without colour, by its
// marker's shape and fill and its curves' dash, as well as by a colour from
// the Okabe–Ito palette, which colour-blind readers can tell apart.
package chart

import (
	"image/color"
)

// DefaultWidth and DefaultHeight are a Figure's size, in inches, when its
// own is 0; DefaultDPI is WritePNG's resolution, pixels per inch.
var (
	DefaultWidth  = 10.0
	DefaultHeight = 5.6
	DefaultDPI    = 144
)

// Figure is a plot's data and labels, independent of gonum.
type Figure struct {
	// Title is the plot's heading, one or more lines separated by "\n":
	// what is plotted, the run (name, id), host and date.
	Title          string
	XLabel, YLabel string   // axis labels, with their units
	Series         []Series // in legend order
	// Ideal draws the line of perfect scaling, S = p.
	Ideal bool
	// Notes are lines of the legend that belong to no series: why
	// something is missing (no point to plot, a fit that failed).
	Notes []string
	// Width and Height are the size of the drawing, inches; 0 takes
	// DefaultWidth and DefaultHeight. DPI is WritePNG's resolution, pixels
	// per inch; 0 takes DefaultDPI. A PNG is Width×DPI by Height×DPI
	// pixels, rounded to the nearest pixel.
	Width, Height float64
	DPI           int
}

// Series is one group of measured speedups, typically one range and
// schedule of a run, with the laws fitted to it.
type Series struct {
	Label  string  // legend text, e.g. "[1e13, +1000) per-item"
	Points []Point // one per cell with a speedup, in plan order
	Curves []Curve // fitted laws, drawn from p = 1 to the right of the plot
	// Ceiling is Amdahl's 1/B, the speedup no processor count exceeds,
	// drawn as a horizontal dashed line when it is within 3 times the
	// largest measured speedup and named in the legend otherwise; NaN or
	// +Inf: none (no Amdahl fit, B <= 0 or B > 1).
	Ceiling float64
	Style   Style // how the series is drawn
}

// Point is one measured speedup.
type Point struct {
	// P is where the point is drawn: the cell's effective processors, or,
	// for an oversubscribed cell (whose effective processors are clamped
	// to the usable CPUs), its worker count.
	P float64
	S float64 // the measured speedup, T(1)/T(p) (weak scaling: w·T(1)/T(w))
	// Low and High bound S's confidence interval, drawn as an error bar
	// when High > Low; NaN: no interval.
	Low, High float64
	Workers   int // the cell's worker count; 0 for exp fit's loads
	// Oversubscribed marks a CPU-bound cell with more workers than usable
	// CPUs: drawn, ringed, and left out of the fits.
	Oversubscribed bool
}

// Curve is a fitted law of scaling, drawn as a line.
type Curve struct {
	Label string // legend text, e.g. "Amdahl, B = 0.0127"
	// Kind is the law: KindAmdahl, KindUSL or KindGustafson. USL curves
	// are drawn dotted; the others in the series' dash.
	Kind string
	F    func(p float64) float64 // the speedup the law predicts on p processors
}

// The kinds of Curve.
const (
	KindAmdahl    = "amdahl"
	KindUSL       = "usl"
	KindGustafson = "gustafson"
)

// Style is how a series is drawn. Two series of one figure differ in
// Shape or Hollow, so that they are told apart without colour.
type Style struct {
	Color  color.RGBA // markers, error bars and curves; opaque
	Shape  Shape      // marker
	Hollow bool       // outlined marker (run B of a comparison), else filled
	// Dash is the dash pattern of the series' curves, alternating lengths
	// on and off in points; nil is a solid line.
	Dash []float64
}

// Shape is a marker's shape.
type Shape int

// The marker shapes, in the order series take them.
const (
	Circle Shape = iota
	Square
	Triangle
	Diamond
	InvertedTriangle
	Pentagon
	Star
	Hexagon
	numShapes
)

// Palette is the colours series take in turn: the Okabe–Ito palette
// (Okabe & Ito 2008, "Color Universal Design"), which readers with any
// common colour-vision deficiency can tell apart, with its yellow last
// because it is faint on white.
var Palette = []color.RGBA{
	{0x00, 0x72, 0xB2, 0xFF}, // blue
	{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	{0xE6, 0x9F, 0x00, 0xFF}, // orange
	{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	{0x00, 0x00, 0x00, 0xFF}, // black
	{0xF0, 0xE4, 0x42, 0xFF}, // yellow
}

// dashes are the curves' dash patterns, in points, that series take in
// turn; dotted lines are kept for the USL.
var dashes = [][]float64{nil, {7, 3}, {10, 3, 2, 3}, {4, 3}, {12, 4}, {6, 2, 2, 2, 2, 2}}

// StyleOf is the style of the i-th series of a figure: the i-th colour,
// shape and dash, each list taken in turn.
func StyleOf(i int) Style {
	return Style{Color: Palette[i%len(Palette)], Shape: Shape(i % int(numShapes)), Dash: dashes[i%len(dashes)]}
}

// size returns the figure's width and height, inches, and resolution.
func (f *Figure) size() (w, h float64, dpi int) {
	w, h, dpi = f.Width, f.Height, f.DPI
	if w <= 0 {
		w = DefaultWidth
	}
	if h <= 0 {
		h = DefaultHeight
	}
	if dpi <= 0 {
		dpi = DefaultDPI
	}
	return w, h, dpi
}
