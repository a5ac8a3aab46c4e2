package report

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/exp-tool/exp/experiment"
)

// TestTables checks that CellTable and FitTable are the text table's rows:
// the same cells, the warnings joined in the last column.
func TestTables(t *testing.T) {
	run, cells, trials := fixture()
	rep := Build(run, cells, trials, DefaultThresholds)
	var text bytes.Buffer
	if err := WriteTable(&text, rep); err != nil {
		t.Fatal(err)
	}
	for name, tb := range map[string]Table{"CellTable": CellTable(rep), "FitTable": FitTable(rep)} {
		for i, row := range tb.Rows {
			if len(row.Cells) != len(tb.Header) {
				t.Errorf("%s row %d: %d cells, %d columns", name, i, len(row.Cells), len(tb.Header))
			}
			var line bytes.Buffer
			g := grid{header: append(slices.Clone(tb.Header), "WARNINGS"), rows: [][]string{append(slices.Clone(row.Cells), joinWarnings(row.Warnings))}}
			if err := g.writeAligned(&line); err != nil {
				t.Fatal(err)
			}
			fields := strings.Fields(strings.Split(line.String(), "\n")[1])
			if !strings.Contains(strings.Join(strings.Fields(text.String()), " "), strings.Join(fields, " ")) {
				t.Errorf("%s row %d is not a row of the text table: %q", name, i, fields)
			}
		}
	}
	if len(CellTable(rep).Rows[2].Warnings) != 2 || slices.Contains(FitTable(rep).Header, "MODEL") {
		t.Errorf("cell 2's warnings %v; fit header %v, want no USL columns with 2 processor counts", CellTable(rep).Rows[2].Warnings, FitTable(rep).Header)
	}
}

// TestFitTableUSL checks the USL and MODEL columns of a fit with 3
// processor counts.
func TestFitTableUSL(t *testing.T) {
	run, _, _ := fixture()
	run.Kernel, run.CPUBound = "synthetic", false
	r := experiment.Range{Count: 90_000}
	var cells []experiment.Cell
	var trials []experiment.Trial
	for i, w := range []int{1, 2, 4} {
		cells = append(cells, experiment.Cell{Index: i, Range: r, Schedule: experiment.Static, Workers: w})
		for k := range 7 {
			secs := (0.01 + 0.09/float64(w)) * (1 + 0.003*math.Sin(float64(3*i+k)))
			trials = append(trials, experiment.Trial{Step: experiment.Step{Seq: len(trials), Cell: i}, WallNS: int64(secs * 1e9), OK: true})
		}
	}
	rep := Build(run, cells, trials, DefaultThresholds)
	tb := FitTable(rep)
	if len(rep.Fits) != 1 || rep.Fits[0].USLErr != nil {
		t.Fatalf("fits %+v", rep.Fits)
	}
	i := slices.Index(tb.Header, "USL SIGMA")
	if i < 0 || tb.Header[len(tb.Header)-1] != "MODEL" || len(tb.Rows[0].Cells) != len(tb.Header) {
		t.Fatalf("header %v, row %v", tb.Header, tb.Rows[0].Cells)
	}
	u := rep.Fits[0].USL
	if got, want := tb.Rows[0].Cells[i], num(u.Sigma, 4); got != want {
		t.Errorf("USL SIGMA = %q, want %q", got, want)
	}
	if got := tb.Rows[0].Cells[len(tb.Header)-1]; got != rep.Fits[0].Choice.Model && got != "-" {
		t.Errorf("MODEL = %q, choice %q", got, rep.Fits[0].Choice.Model)
	}
	if got := rep.Label(r); got != "90ms of work" {
		t.Errorf("Label = %q", got)
	}
}
