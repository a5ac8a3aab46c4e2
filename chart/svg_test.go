package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// tb is what the SVG checks need of a *testing.T, so that a test can
// also run them on a recorder and see them fail.
type tb interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// recorder is a tb that counts failures; Fatalf stops by panicking with
// errStop, which run recovers.
type recorder struct{ failures []string }

var errStop = errors.New("stop")

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	panic(errStop)
}

// run runs check on r, recovering from its Fatalf.
func (r *recorder) run(check func(tb)) {
	defer func() {
		if v := recover(); v != nil && v != errStop {
			panic(v)
		}
	}()
	check(r)
}

// svgPath is one <path> of gonum's SVG: a Stroke or a Fill, in draw order.
type svgPath struct {
	fill, stroke string       // #RRGGBB, or "" for none
	width        float64      // stroke width, points
	moves        int          // subpaths (M commands)
	closed       bool         // ends with Z
	pts          [][2]float64 // the end point of every command, in points with y up
}

type svgText struct {
	x, y float64 // y up, as the paths
	s    string
}

type svgDoc struct {
	paths []svgPath
	texts []svgText
}

var (
	svgCommand = regexp.MustCompile(`[MLAZ][^MLAZ]*`)
	svgNumber  = regexp.MustCompile(`-?[0-9.]+(e-?[0-9]+)?`)
)

// parseSVG reads the paths and texts of an SVG written by WriteSVG.
func parseSVG(t tb, data []byte) svgDoc {
	t.Helper()
	var doc svgDoc
	dec := xml.NewDecoder(bytes.NewReader(data))
	var text *svgText
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("parse svg: %v", err)
			}
			return doc
		}
		switch el := tok.(type) {
		case xml.StartElement:
			attr := map[string]string{}
			for _, a := range el.Attr {
				attr[a.Name.Local] = a.Value
			}
			switch el.Name.Local {
			case "path":
				doc.paths = append(doc.paths, parsePath(t, attr["d"], attr["style"]))
			case "text":
				x, _ := strconv.ParseFloat(attr["x"], 64)
				y, _ := strconv.ParseFloat(attr["y"], 64)
				text = &svgText{x: x, y: -y}
			}
		case xml.CharData:
			if text != nil {
				text.s += string(el)
			}
		case xml.EndElement:
			if el.Name.Local == "text" && text != nil {
				doc.texts = append(doc.texts, *text)
				text = nil
			}
		}
	}
}

func parsePath(t tb, d, style string) svgPath {
	p := svgPath{width: 1}
	for _, decl := range strings.Split(style, ";") {
		k, v, _ := strings.Cut(decl, ":")
		switch k {
		case "fill":
			p.fill = strings.TrimPrefix(v, "none")
		case "stroke":
			p.stroke = strings.TrimPrefix(v, "none")
		case "stroke-width":
			p.width, _ = strconv.ParseFloat(v, 64)
		}
	}
	if p.fill == "" && p.stroke == "" {
		p.fill = "#000000" // SVG's default fill
	}
	for _, cmd := range svgCommand.FindAllString(d, -1) {
		var nums []float64
		for _, s := range svgNumber.FindAllString(cmd, -1) {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("path %q: %v", d, err)
			}
			nums = append(nums, v)
		}
		switch cmd[0] {
		case 'M':
			p.moves++
			fallthrough
		case 'L', 'A':
			p.pts = append(p.pts, [2]float64{nums[len(nums)-2], nums[len(nums)-1]})
		case 'Z':
			p.closed = true
		}
	}
	return p
}

// center is the middle of the path's bounding box.
func (p svgPath) center() (x, y float64) {
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, pt := range p.pts {
		x0, x1, y0, y1 = min(x0, pt[0]), max(x1, pt[0]), min(y0, pt[1]), max(y1, pt[1])
	}
	return (x0 + x1) / 2, (y0 + y1) / 2
}

func (d svgDoc) hasText(s string) bool {
	return d.countText(s) > 0
}

func (d svgDoc) countText(s string) int {
	n := 0
	for _, t := range d.texts {
		if t.s == s {
			n++
		}
	}
	return n
}

// axes finds the data area from the axis lines: the longest black
// horizontal and vertical strokes span exactly the x and y ranges.
func (d svgDoc) axes(t tb) (x0, x1, y0, y1 float64) {
	t.Helper()
	bestX, bestY := 0.0, 0.0
	for _, p := range d.paths {
		if p.stroke != "#000000" || len(p.pts) != 2 {
			continue
		}
		a, b := p.pts[0], p.pts[1]
		switch {
		case a[1] == b[1] && math.Abs(b[0]-a[0]) > bestX:
			bestX, x0, x1 = math.Abs(b[0]-a[0]), min(a[0], b[0]), max(a[0], b[0])
		case a[0] == b[0] && math.Abs(b[1]-a[1]) > bestY:
			bestY, y0, y1 = math.Abs(b[1]-a[1]), min(a[1], b[1]), max(a[1], b[1])
		}
	}
	if bestX < 100 || bestY < 100 {
		t.Fatalf("no axis lines found (longest %g, %g points)", bestX, bestY)
	}
	return x0, x1, y0, y1
}

// markerKey groups markers by how they are drawn: a filled marker is a
// closed path filled in its colour, a hollow one a closed path stroked in
// it (the grey rings of oversubscribed points are hollow too).
type markerKey struct {
	color  string
	hollow bool
}

func hexColor(c interface{ RGBA() (r, g, b, a uint32) }) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02X%02X%02X", r>>8, g>>8, b>>8)
}

// checkSVG checks that svg draws f: one legend text per series, beside
// the plot; per series, one marker per point at its P and S (plus one in
// the legend) and one error bar per interval, from Low to High, each
// inside the data area; a ring around each oversubscribed point.
func checkSVG(t tb, f *Figure, svg []byte) {
	t.Helper()
	doc := parseSVG(t, svg)
	lay := f.layout()
	x0, x1, y0, y1 := doc.axes(t)
	sx := func(v float64) float64 { return x0 + v/lay.xmax*(x1-x0) }
	sy := func(v float64) float64 { return y0 + v/lay.ymax*(y1-y0) }
	inside := func(x, y float64) bool { return x >= x0 && x <= x1 && y >= y0 && y <= y1 }

	wantMarkers := map[markerKey][][2]float64{}
	wantBars := map[string][][3]float64{}
	legend := map[markerKey]int{}
	for i, s := range f.Series {
		if n := doc.countText(s.Label); n != 1 {
			t.Errorf("legend: %d texts %q, want 1", n, s.Label)
		}
		for _, tx := range doc.texts {
			if tx.s == s.Label && tx.x < x1 {
				t.Errorf("legend text %q at x = %g is over the plot (its data area ends at %g)", s.Label, tx.x, x1)
			}
		}
		col := hexColor(s.Style.Color)
		key := markerKey{col, s.Style.Hollow}
		legend[key]++
		for _, pt := range drawable(s.Points) {
			x := sx(pt.P) + dodge(i, len(f.Series)).Points()
			wantMarkers[key] = append(wantMarkers[key], [2]float64{x, sy(pt.S)})
			if pt.Oversubscribed {
				ring := markerKey{hexColor(ringGrey), true}
				wantMarkers[ring] = append(wantMarkers[ring], [2]float64{x, sy(pt.S)})
				legend[ring] = 1
			}
			if pt.High > pt.Low {
				wantBars[col] = append(wantBars[col], [3]float64{x, sy(pt.Low), sy(pt.High)})
			}
		}
	}
	for key := range legend {
		if _, ok := wantMarkers[key]; !ok {
			wantMarkers[key] = nil // a series with no point has its legend marker
		}
	}
	gotMarkers := map[markerKey][][2]float64{}
	gotBars := map[string][][3]float64{}
	for _, p := range doc.paths {
		switch {
		case p.closed && p.fill != "" && p.fill != "#FFFFFF":
			x, y := p.center()
			gotMarkers[markerKey{p.fill, false}] = append(gotMarkers[markerKey{p.fill, false}], [2]float64{x, y})
		case p.closed && p.stroke != "":
			x, y := p.center()
			gotMarkers[markerKey{p.stroke, true}] = append(gotMarkers[markerKey{p.stroke, true}], [2]float64{x, y})
		case p.stroke != "" && p.moves == 3 && len(p.pts) == 6:
			// M cap L cap M bar L bar M cap L cap: the bar is the middle.
			gotBars[p.stroke] = append(gotBars[p.stroke], [3]float64{p.pts[2][0], p.pts[2][1], p.pts[3][1]})
		}
	}
	for key, want := range wantMarkers {
		got := gotMarkers[key]
		if len(got) != len(want)+legend[key] {
			t.Errorf("%v: %d markers, want %d points + %d in the legend", key, len(got), len(want), legend[key])
			continue
		}
		used := make([]bool, len(got))
		for _, w := range want {
			j := nearest(got, used, w)
			if j < 0 || math.Hypot(got[j][0]-w[0], got[j][1]-w[1]) > 1.5 {
				t.Errorf("%v: no marker at (%.1f, %.1f)", key, w[0], w[1])
				continue
			}
			used[j] = true
			if !inside(got[j][0], got[j][1]) {
				t.Errorf("%v: marker at (%.1f, %.1f) outside the data area [%g, %g]x[%g, %g]", key, got[j][0], got[j][1], x0, x1, y0, y1)
			}
		}
		for j, u := range used {
			if !u && got[j][0] < x1 {
				t.Errorf("%v: a marker at (%.1f, %.1f) that is no point and not in the legend", key, got[j][0], got[j][1])
			}
		}
	}
	for col, want := range wantBars {
		got := gotBars[col]
		if len(got) != len(want) {
			t.Errorf("%s: %d error bars, want %d", col, len(got), len(want))
			continue
		}
		for _, w := range want {
			found := false
			for _, g := range got {
				if math.Abs(g[0]-w[0]) < 0.1 && math.Abs(g[1]-w[1]) < 0.1 && math.Abs(g[2]-w[2]) < 0.1 {
					found = true
					if !inside(g[0], g[1]) || !inside(g[0], g[2]) {
						t.Errorf("%s: error bar %v outside the data area", col, g)
					}
				}
			}
			if !found {
				t.Errorf("%s: no error bar from (%.1f, %.1f) to (%.1f, %.1f)", col, w[0], w[1], w[0], w[2])
			}
		}
	}
}

// nearest is the index of the unused point of got closest to w; -1 if
// none is left.
func nearest(got [][2]float64, used []bool, w [2]float64) int {
	best, bestD := -1, math.Inf(1)
	for j, g := range got {
		if d := math.Hypot(g[0]-w[0], g[1]-w[1]); !used[j] && d < bestD {
			best, bestD = j, d
		}
	}
	return best
}

func svgOf(t *testing.T, f *Figure) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := f.WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
