package htmlreport

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/host"
	"github.com/exp-tool/exp/report"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// evilName would run a script, close the title or break an attribute if it
// were not escaped.
const evilName = `<script>alert("x")</script></title><b onmouseover='y'>& co`

// fixture is a report with warnings at every level: an interrupted run
// (run), 4 workers with a wrong answer and 8 with few trials (cells, and
// fits that leave them out), on a waiting kernel so that p = workers and
// the USL is fitted where 3 processor counts remain.
func fixture(scaling string) *report.Report {
	run := experiment.Run{ID: 3, UUID: "01890a5d-ac96-774b-bcce-b302099a8057", Name: evilName,
		Status: experiment.StatusInterrupted, Error: "interrupted by <SIGINT>",
		StartedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), FinishedAt: time.Date(2026, 1, 2, 3, 5, 6, 0, time.UTC),
		Seed: 42, Kernel: "synthetic", Scaling: scaling, Repeats: 7, Warmup: 1, Chunk: 8, ConfigPath: "e.yaml",
		Host: host.Host{Hostname: "box", CPUModel: "Test CPU @ 1GHz", NumCPU: 8, GOMAXPROCS: 8, OS: "linux", Arch: "amd64",
			GoVersion: "go1.26.8", ExpVersion: "(devel)", KernelRelease: "6.1.0"}}
	workers := []int{1, 2, 3, 4, 8}
	var cells []experiment.Cell
	for i, w := range workers {
		cells = append(cells, experiment.Cell{Index: i, Range: experiment.Range{Start: 0, Count: 90_000}, Schedule: experiment.Static, Workers: w})
	}
	var trials []experiment.Trial
	for c, w := range workers {
		t := 0.010 + 0.090/float64(w) + 0.0005*float64(w*w) // a little coherency cost
		if scaling == experiment.ScalingWeak {
			t = 0.010 + 0.090 + 0.002*float64(w)
		}
		n := 7
		if w == 8 {
			n = 3
		}
		for i := range n {
			noise := 1 + 0.004*math.Sin(float64(7*c+i))
			trials = append(trials, experiment.Trial{Step: experiment.Step{Seq: len(trials), Cell: c},
				WallNS: int64(t * noise * 1e9), Digest: experiment.Digest{Hits: 0, Checksum: "e3"}, OK: !(w == 4 && i == 0)})
		}
	}
	return report.Build(run, cells, trials, report.DefaultThresholds)
}

// testSVG is a small plot: a prolog, a doctype, fixed width and height and
// no viewBox.
const testSVG = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<!-- drawn for a test -->
<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200">
<style>.l { stroke: #036; }</style>
<rect x="0" y="0" width="400" height="200" fill="#eef"/>
<polyline class="l" points="10,190 200,60 390,40" fill="none" stroke-width="4"/>
<text x="10" y="20">speedup &amp; p &lt; 9</text>
</svg>
`

// escape escapes s as the page's template does (html/template also
// escapes + and ", unlike template.HTMLEscapeString).
func escape(s string) string {
	var b strings.Builder
	if err := template.Must(template.New("").Parse("{{.}}")).Execute(&b, s); err != nil {
		panic(err)
	}
	return b.String()
}

func render(t *testing.T, rep *report.Report, plots []Plot) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, rep, plots); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestWriteGolden(t *testing.T) {
	got := render(t, fixture(experiment.ScalingStrong), []Plot{{Title: "Speedup", SVG: []byte(testSVG)}})
	path := filepath.Join("testdata", "page.html")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./htmlreport -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("the page differs from %s (go test ./htmlreport -update rewrites it):\n%s", path, got)
	}
}

// TestWriteEscapes checks that text from the run reaches the page as text.
func TestWriteEscapes(t *testing.T) {
	page := render(t, fixture(experiment.ScalingStrong), nil)
	for _, bad := range []string{"<script", "<b ", "'y'", "<SIGINT>"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page contains %q unescaped", bad)
		}
	}
	for _, want := range []string{escape(evilName), "interrupted by &lt;SIGINT&gt;"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks the escaped %q", want)
		}
	}
}

// allWarnings are the texts of every warning of rep: the run's, each fit's
// (its no-fit reason, its own and its models') and each cell's.
func allWarnings(rep *report.Report) []string {
	var ws []error
	ws = append(ws, rep.Warnings...)
	for _, f := range rep.Fits {
		ws = append(ws, f.Warnings...)
		ws = append(ws, f.KarpFlatt.Warnings...)
		for _, e := range []error{f.AmdahlErr, f.USLErr, f.ChoiceErr, f.GustafsonErr} {
			// A weak run has no Amdahl fit, USL or choice, by design,
			// and says so once (report.ErrWeakScaling) in no table.
			if e != nil && rep.Run.Scaling != experiment.ScalingWeak {
				ws = append(ws, e)
			}
		}
		if f.USLErr == nil {
			ws = append(ws, f.USL.Warnings...)
		}
		if f.GustafsonErr == nil {
			ws = append(ws, f.Gustafson.Warnings...)
		}
	}
	for _, c := range rep.Cells {
		ws = append(ws, c.Warnings...)
	}
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Error()
	}
	return out
}

func TestWriteEveryWarning(t *testing.T) {
	for _, scaling := range []string{experiment.ScalingStrong, experiment.ScalingWeak} {
		t.Run(scaling, func(t *testing.T) {
			rep := fixture(scaling)
			page := render(t, rep, nil)
			ws := allWarnings(rep)
			if len(rep.Warnings) == 0 || len(rep.Cells[3].Warnings) == 0 || len(rep.Cells[4].Warnings) == 0 || len(ws) < 5 {
				t.Fatalf("the fixture lacks warnings at some level: %q", ws)
			}
			for _, w := range ws {
				if !strings.Contains(page, escape(w)) {
					t.Errorf("the page lacks the warning %q", w)
				}
			}
			if want := fmt.Sprintf("Warnings (%d)", len(ws)); scaling == experiment.ScalingStrong && !strings.Contains(page, want) {
				t.Errorf("the page lacks %q", want)
			}
		})
	}
}

// TestWriteLoadsNothing checks that the page refers to nothing outside
// itself: no stylesheet, script, image, frame, font or import.
func TestWriteLoadsNothing(t *testing.T) {
	page := render(t, fixture(experiment.ScalingStrong), []Plot{{Title: "Speedup", SVG: []byte(testSVG)}})
	for _, re := range []string{`(?i)<link`, `(?i)<script`, `(?i)<img`, `(?i)<iframe`, `(?i)<object`, `(?i)<embed`,
		`(?i)\ssrc\s*=`, `(?i)@import`, `(?i)@font-face`, `(?i)url\(\s*['"]?[^#'"\s]`, `(?i)https?:`, `(?i)href\s*=\s*"[^#]`} {
		if loc := regexp.MustCompile(re).FindStringIndex(page); loc != nil {
			t.Errorf("the page matches %s: %q", re, page[max(loc[0]-40, 0):min(loc[1]+40, len(page))])
		}
	}
}

// TestWriteStructure parses the page as XML (it is written so that it is
// well-formed) and checks its outline: one html with a head holding a
// charset, a viewport, a title and a style, and a body with the tables
// and the plot.
func TestWriteStructure(t *testing.T) {
	page := render(t, fixture(experiment.ScalingStrong), []Plot{{Title: "Speedup", SVG: []byte(testSVG)}})
	if !strings.HasPrefix(page, "<!DOCTYPE html>\n<html lang=\"en\">") {
		t.Errorf("the page starts %q", page[:min(40, len(page))])
	}
	d := xml.NewDecoder(strings.NewReader(page))
	d.Strict = true
	var path []string
	seen := map[string]int{}
	viewport := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the page is not well-formed: %v", err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			path = append(path, tk.Name.Local)
			seen[strings.Join(path, "/")]++
			for _, a := range tk.Attr {
				if tk.Name.Local == "meta" && a.Name.Local == "name" && a.Value == "viewport" {
					viewport = true
				}
			}
		case xml.EndElement:
			path = path[:len(path)-1]
		}
	}
	for key, want := range map[string]int{
		"html": 1, "html/head": 1, "html/body": 1, "html/head/title": 1, "html/head/style": 1,
		"html/body/main/section/div/table": 2, "html/body/main/section/figure/svg": 1,
	} {
		if seen[key] != want {
			t.Errorf("%d of %s, want %d", seen[key], key, want)
		}
	}
	if !viewport {
		t.Error("no <meta name=\"viewport\">")
	}
}

// TestWriteTables checks that the page's tables hold the text table's
// values: every cell of report.CellTable and report.FitTable.
func TestWriteTables(t *testing.T) {
	rep := fixture(experiment.ScalingStrong)
	page := render(t, rep, nil)
	for _, tb := range []report.Table{report.CellTable(rep), report.FitTable(rep)} {
		for _, row := range tb.Rows {
			var cells []string
			for _, c := range row.Cells {
				cells = append(cells, "<td>"+escape(c)+"</td>")
			}
			if want := strings.Join(cells, ""); !strings.Contains(page, want) {
				t.Errorf("the page lacks the row %s", want)
			}
		}
	}
	if !strings.Contains(page, "<th>USL SIGMA</th>") {
		t.Error("the fit table lacks the USL's columns")
	}
}

func TestWriteRefusesPlot(t *testing.T) {
	var b bytes.Buffer
	err := Write(&b, fixture(experiment.ScalingStrong), []Plot{{Title: "bad", SVG: []byte(`<svg><script>alert(1)</script></svg>`)}})
	if !errors.Is(err, ErrUnsafeSVG) || !strings.Contains(err.Error(), `plot "bad"`) {
		t.Errorf("err = %v, want ErrUnsafeSVG naming the plot", err)
	}
	if b.Len() != 0 {
		t.Errorf("wrote %d bytes before refusing", b.Len())
	}
}

func ExampleWrite() {
	rep := report.Build(experiment.Run{ID: 1, Name: "demo", Status: experiment.StatusDone, Kernel: "primes"}, nil, nil, report.DefaultThresholds)
	var b strings.Builder
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>`)
	if err := Write(&b, rep, []Plot{{Title: "A circle", SVG: svg}}); err != nil {
		fmt.Println(err)
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(line, "<title>") || strings.HasPrefix(line, "<svg") {
			fmt.Println(line)
		}
	}
	// Output:
	// <title>exp report: run 1, demo</title>
	// <svg viewBox="0 0 10 10" role="img" aria-label="A circle"><circle cx="5" cy="5" r="4"/></svg>
}
