package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// designYAML are runs of issue 13's designs, which the report reads its
// own way: trials split over 2 processes (too few for a median's
// interval), over 4 (a hierarchical bootstrap's interval), and cells
// repeated until precise.
var designYAML = map[string]string{
	"procs2.yaml":   "invocations: 2\nrepeats: 4\n",
	"procs4.yaml":   "invocations: 4\nrepeats: 8\n",
	"adaptive.yaml": "repeats: {min: 3, max: 8, precision: 3%}\n",
}

// TestPlotAndHTMLOfDesigns: exp report --plot and --format html draw and
// render runs split over processes and runs repeated until precise: one
// marker per cell with a speedup (and one in the legend), the processes'
// columns (INV) or the precision in the page, the plot inline, and no NaN
// anywhere (the 2-process cells have no interval of their median).
func TestPlotAndHTMLOfDesigns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	names := []string{"procs2.yaml", "procs4.yaml", "adaptive.yaml"}
	for _, name := range names {
		writeFile(t, dir, name, `name: `+strings.TrimSuffix(name, ".yaml")+`
seed: 4
kernel: synthetic
synthetic: {mode: sleep, serial: 1ms, parallel: 6ms}
workers: [1, 2, 4]
warmup: 1
`+designYAML[name])
		if r := exp(t, dir, nil, "run", "-q", name); r.code != 0 {
			t.Fatalf("exp run %s: exit %d\n%s", name, r.code, r.stderr)
		}
	}
	for i, name := range names {
		run := strconv.Itoa(i + 1)
		t.Run(strings.TrimSuffix(name, ".yaml"), func(t *testing.T) {
			var doc struct {
				Cells []struct {
					Speedup     *float64 `json:"speedup"`
					Invocations int      `json:"invocations"`
				} `json:"cells"`
			}
			r := exp(t, dir, nil, "report", "--run", run, "--format", "json")
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
				t.Fatalf("report json: %v\n%s", err, r.stderr)
			}
			withSpeedup := 0
			for _, c := range doc.Cells {
				if c.Speedup != nil {
					withSpeedup++
				}
			}
			svg, page := filepath.Join(dir, "p"+run+".svg"), filepath.Join(dir, "p"+run+".html")
			if r := exp(t, dir, nil, "report", "--run", run, "--plot", svg, "--format", "html", "--output", page); r.code != 0 {
				t.Fatalf("exp report --plot --format html: exit %d\n%s", r.code, r.stderr)
			}
			if s := readSVG(t, svg); s.markers["#0072B2"] != withSpeedup+1 || withSpeedup != 3 {
				t.Errorf("%s: %d markers, want the %d cells with a speedup (3) + 1 in the legend", svg, s.markers["#0072B2"], withSpeedup)
			}
			html, err := os.ReadFile(page)
			if err != nil {
				t.Fatal(err)
			}
			want := "<th>PRECISION</th>"
			if strings.HasPrefix(name, "procs") {
				want = "<th>INV</th>"
			}
			if !strings.Contains(string(html), want) || !strings.Contains(string(html), "<svg") {
				t.Errorf("%s: no %s column or no inline plot", page, want)
			}
			for _, f := range []string{svg, page} {
				if b, _ := os.ReadFile(f); strings.Contains(string(b), "NaN") {
					t.Errorf("%s holds a NaN", f)
				}
			}
		})
	}
}
