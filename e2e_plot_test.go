package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// plotYAML is a tiny primes matrix with 2 schedules and 3 worker counts
// (4 workers are oversubscribed on a machine with fewer CPUs), 3 trials
// per cell: every speedup has an interval.
const plotYAML = `name: plot
seed: 5
repeats: 3
warmup: 0
ranges:
  - {start: 10000000000000, count: 200}
workers: [1, 2, 4]
schedules: [chunked, static]
`

// svgSummary is what the e2e tests read from a plot: its texts, and the
// closed paths (markers) filled in each colour.
type svgSummary struct {
	texts   []string
	markers map[string]int
}

func readSVG(t *testing.T, path string) svgSummary {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := svgSummary{markers: map[string]int{}}
	dec := xml.NewDecoder(bytes.NewReader(data))
	inText := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return s
		}
		if err != nil {
			t.Fatalf("%s: not XML: %v", path, err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			attrs := map[string]string{}
			for _, a := range el.Attr {
				attrs[a.Name.Local] = a.Value
			}
			inText = el.Name.Local == "text"
			if fill, ok := strings.CutPrefix(attrs["style"], "fill:"); el.Name.Local == "path" && ok && strings.HasSuffix(attrs["d"], "Z") {
				s.markers[fill]++
			}
		case xml.CharData:
			if inText {
				s.texts = append(s.texts, string(el))
			}
		case xml.EndElement:
			inText = false
		}
	}
}

func (s svgSummary) has(text string) bool {
	for _, t := range s.texts {
		if t == text {
			return true
		}
	}
	return false
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// leftovers lists the temporary files a plot left in dir.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPlotEndToEnd(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "p.yaml", plotYAML)
	for range 2 {
		if r := exp(t, dir, nil, "run", "p.yaml", "-q"); r.code != 0 {
			t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
		}
	}
	// The series: one per schedule, one marker per cell with a speedup
	// (all 3) plus one in the legend.
	var doc struct {
		Cells []struct {
			Schedule string   `json:"schedule"`
			Speedup  *float64 `json:"speedup"`
		} `json:"cells"`
	}
	r := exp(t, dir, nil, "report", "--format", "json")
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("report json: %v\n%s", err, r.stderr)
	}
	withSpeedup := map[string]int{}
	for _, c := range doc.Cells {
		if c.Speedup != nil {
			withSpeedup[c.Schedule]++
		}
	}

	t.Run("ReportSVG", func(t *testing.T) {
		writeFile(t, dir, "out.svg", "an older plot")
		r := exp(t, dir, nil, "report", "--plot", "out.svg")
		if r.code != 0 || !strings.Contains(r.stdout, "RANGE") {
			t.Fatalf("exit %d, want 0 and the table on stdout\n%s%s", r.code, r.stdout, r.stderr)
		}
		s := readSVG(t, filepath.Join(dir, "out.svg"))
		for _, want := range []string{"plot: speedup against effective processors", "[1e13, +200) chunked", "[1e13, +200) static",
			"ideal S = p", "effective processors p", "speedup T(1)/T(p)"} {
			if !s.has(want) {
				t.Errorf("out.svg has no text %q; texts: %q", want, s.texts)
			}
		}
		for color, schedule := range map[string]string{"#0072B2": "chunked", "#D55E00": "static"} {
			if s.markers[color] != withSpeedup[schedule]+1 {
				t.Errorf("%s: %d markers of %s, want %d cells with a speedup + 1 in the legend",
					schedule, s.markers[color], color, withSpeedup[schedule])
			}
		}
		if l := leftovers(t, dir); len(l) > 0 {
			t.Errorf("temporary files left: %v", l)
		}
	})
	t.Run("ReportPNG", func(t *testing.T) {
		if r := exp(t, dir, nil, "report", "--run", "1", "--format", "csv", "--plot", "out.png"); r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		if got := readPNG(t, filepath.Join(dir, "out.png")).Bounds().Size(); got != (image.Point{1440, 806}) {
			t.Errorf("out.png is %v, want 1440x806 (10 x 5.6 inches at 144 DPI)", got)
		}
	})
	t.Run("Compare", func(t *testing.T) {
		r := exp(t, dir, nil, "compare", "1", "2", "--plot", "cmp.svg")
		if r.code != 0 || !strings.Contains(r.stdout, "verdict") {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		s := readSVG(t, filepath.Join(dir, "cmp.svg"))
		for _, want := range []string{"A, run 1: [1e13, +200) chunked", "B, run 2: [1e13, +200) chunked", "B, run 2: [1e13, +200) static"} {
			if !s.has(want) {
				t.Errorf("cmp.svg has no text %q", want)
			}
		}
		if r := exp(t, dir, nil, "compare", "1", "2", "--plot", "cmp.png", "-f", "json"); r.code != 0 {
			t.Fatalf("compare --plot cmp.png: exit %d\n%s", r.code, r.stderr)
		}
		readPNG(t, filepath.Join(dir, "cmp.png"))
	})
	t.Run("Fit", func(t *testing.T) {
		writeFile(t, dir, "ray.csv", raytracerCSV)
		r := exp(t, dir, nil, "fit", "ray.csv", "--x", "processors", "--y", "throughput", "--kind", "throughput", "--plot", "ray.svg")
		if r.code != 0 || !strings.Contains(r.stdout, "USL:") {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		s := readSVG(t, filepath.Join(dir, "ray.svg"))
		if !s.has("measured throughput (median of each load)") || !s.has("relative capacity X(p)/X(1)") || s.markers["#0072B2"] != 11+1 {
			t.Errorf("ray.svg: %d markers, texts %q; want 11 loads + 1 and the capacity axis", s.markers["#0072B2"], s.texts)
		}
	})
	t.Run("BadExtension", func(t *testing.T) {
		for _, args := range [][]string{
			{"report", "--plot", "out.gif"},
			{"report", "--plot", "x.svg.txt", "--db", "missing.db"},
			{"compare", "1", "2", "--plot", "cmp.jpg"},
			{"fit", "ray.csv", "--x", "processors", "--y", "throughput", "--plot", "ray.pdf"},
		} {
			r := exp(t, dir, nil, args...)
			lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
			if r.code != 2 || len(lines) != 1 || !strings.Contains(lines[0], "--plot") || !strings.Contains(lines[0], ".svg or .png") || r.stdout != "" {
				t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2, nothing, and one line naming --plot and .svg or .png", args, r.code, r.stdout, r.stderr)
			}
		}
		for _, name := range []string{"out.gif", "x.svg.txt", "cmp.jpg", "ray.pdf", "missing.db"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				t.Errorf("a refused --plot wrote %s", name)
			}
		}
		r := exp(t, dir, nil, "report", "--plot", "no/such/dir/out.svg")
		if r.code != 2 || !strings.Contains(r.stderr, "--plot") || r.stdout != "" {
			t.Errorf("--plot into a missing directory: exit %d, stderr %q", r.code, r.stderr)
		}
		if l := leftovers(t, dir); len(l) > 0 {
			t.Errorf("temporary files left: %v", l)
		}
	})
}
