package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/exp-tool/exp/experiment"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file (go test ./report -update rewrites it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestRenderGolden(t *testing.T) {
	run, cells, trials := fixture()
	rep := Build(run, cells, trials, DefaultThresholds)
	for _, f := range Formats {
		t.Run(string(f), func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, f, rep); err != nil {
				t.Fatal(err)
			}
			golden(t, "report."+string(f), b.Bytes())
		})
	}
}

// TestCSVContract checks what users script against: the required columns
// in their spelling, RFC 4180 parsing, one row per cell, empty missing values.
func TestCSVContract(t *testing.T) {
	run, cells, trials := fixture()
	var b bytes.Buffer
	if err := WriteCSV(&b, Build(run, cells, trials, DefaultThresholds)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\r\n") {
		t.Error("RFC 4180 wants CRLF line ends")
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	required := strings.Split("range_start,range_count,schedule,workers,n,primes,mean_s,median_s,stddev_s,cv,min_s,max_s,"+
		"ci_low_s,ci_high_s,speedup,efficiency,karp_flatt,warnings", ",")
	for _, col := range required {
		if !slices.Contains(rows[0], col) {
			t.Errorf("header lacks %q: %v", col, rows[0])
		}
	}
	if len(rows) != 1+len(cells) {
		t.Fatalf("%d rows, want header + %d", len(rows), len(cells))
	}
	kf := slices.Index(rows[0], "karp_flatt")
	if rows[1][kf] != "" {
		t.Errorf("karp_flatt of the 1-worker cell = %q, want empty", rows[1][kf])
	}
	if rows[2][kf] != "0.2" && !strings.HasPrefix(rows[2][kf], "0.2000") && !strings.HasPrefix(rows[2][kf], "0.1999") {
		t.Errorf("karp_flatt of the 2-worker cell = %q, want 0.2", rows[2][kf])
	}
}

func TestJSONContract(t *testing.T) {
	run, cells, trials := fixture()
	var b bytes.Buffer
	if err := WriteJSON(&b, Build(run, cells, trials, DefaultThresholds)); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Run   map[string]any   `json:"run"`
		Cells []map[string]any `json:"cells"`
		Fits  []map[string]any `json:"fits"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Run["uuid"] != run.UUID || len(doc.Cells) != 3 || len(doc.Fits) != 1 {
		t.Fatalf("run %v, %d cells, %d fits", doc.Run["uuid"], len(doc.Cells), len(doc.Fits))
	}
	for _, k := range CSVHeader() {
		if _, ok := doc.Cells[0][k]; !ok {
			t.Errorf("cell lacks key %q", k)
		}
	}
	if doc.Cells[0]["karp_flatt"] != nil {
		t.Errorf("karp_flatt of 1 worker = %v, want null", doc.Cells[0]["karp_flatt"])
	}
	for _, k := range []string{"range_start", "range_count", "schedule", "b", "b_ci_low", "b_ci_high", "t1_s", "max_speedup", "processors"} {
		if _, ok := doc.Fits[0][k]; !ok {
			t.Errorf("fit lacks key %q", k)
		}
	}
}

func TestParseFormat(t *testing.T) {
	if f, err := ParseFormat("csv", Formats); err != nil || f != FormatCSV {
		t.Errorf("ParseFormat(csv) = %q, %v", f, err)
	}
	_, err := ParseFormat("xml", Formats)
	if err == nil || !strings.Contains(err.Error(), "--format must be one of table, csv, json, markdown, benchfmt") {
		t.Errorf("ParseFormat(xml) error = %v", err)
	}
	// A list of runs has no trials to write as benchmarks.
	_, err = ParseFormat("benchfmt", RunsFormats)
	if err == nil || !strings.Contains(err.Error(), `--format must be one of table, csv, json, markdown, got "benchfmt"`) {
		t.Errorf("ParseFormat(benchfmt, RunsFormats) error = %v", err)
	}
}

func TestWriteRuns(t *testing.T) {
	run, _, _ := fixture()
	run.Trials = 24
	for _, f := range RunsFormats {
		var b bytes.Buffer
		if err := WriteRuns(&b, f, []experiment.Run{run}); err != nil {
			t.Fatal(err)
		}
		golden(t, "runs."+string(f), b.Bytes())
	}
}

func TestDur(t *testing.T) {
	for in, want := range map[float64]string{
		0.99996:    "1s",
		0.00099996: "1ms",
		1.5:        "1.5s",
		0.0612345:  "61.23ms",
		2.5e-6:     "2.5µs",
		3e-9:       "3ns",
		3723.4:     "1h2m3s",
		17690:      "4h54m50s",
	} {
		if got := dur(in); got != want {
			t.Errorf("dur(%g) = %q, want %q", in, got, want)
		}
	}
	if got := dur(math.NaN()); got != "-" {
		t.Errorf("dur(NaN) = %q, want -", got)
	}
}

// TestHeaderChunk: the header names the chunk only for a run with a
// chunked cell.
func TestHeaderChunk(t *testing.T) {
	rep := suggestReport([]int{1, 2}, 6, 0.01, func(r *experiment.Run) { r.Chunk = 8 })
	if h := strings.Join(runHeader(rep), "\n"); strings.Contains(h, "chunk") {
		t.Errorf("a static run's header names the chunk:\n%s", h)
	}
	rep.Cells[0].Schedule = experiment.Chunked
	if h := strings.Join(runHeader(rep), "\n"); !strings.Contains(h, ", chunk 8") {
		t.Errorf("a chunked run's header lacks the chunk:\n%s", h)
	}
}

// TestJSONKeysDocumented checks that docs/report-json.md names every key
// WriteJSON writes, for a strong and a weak run.
func TestJSONKeysDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/report-json.md")
	if err != nil {
		t.Fatal(err)
	}
	run, cells, trials := fixture()
	weakRun := run
	weakRun.Scaling = experiment.ScalingWeak
	for _, r := range []experiment.Run{run, weakRun} {
		var b bytes.Buffer
		if err := WriteJSON(&b, Build(r, cells, trials, DefaultThresholds)); err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(b.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		var walk func(v any)
		walk = func(v any) {
			switch x := v.(type) {
			case map[string]any:
				for k, e := range x {
					if !bytes.Contains(doc, []byte("`"+k+"`")) && !bytes.Contains(doc, []byte("`"+strings.TrimSuffix(strings.TrimSuffix(k, "_ci_low"), "_ci_high")+"`")) {
						t.Errorf("key %q is not in docs/report-json.md", k)
					}
					walk(e)
				}
			case []any:
				for _, e := range x {
					walk(e)
				}
			}
		}
		walk(v)
	}
}
