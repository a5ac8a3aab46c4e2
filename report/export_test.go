package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exp-tool/exp/experiment"
)

// exportFixture is two trials: one of a 2-worker cell with every value
// set, and a timed-out one of a 1-worker cell with no worker rows and
// every nullable value missing.
func exportFixture() []ExportRow {
	full := ExportRow{RunID: 3, RunUUID: "01890a5d-ac96-774b-bcce-b302099a8057", RunName: `fix "ture", <1>`, Hostname: "box",
		Kernel: "primes", Scaling: experiment.ScalingWeak,
		Cell: experiment.Cell{Index: 4, RangeIndex: 1, Range: experiment.Range{Start: 10_000_000_000_000, Count: 200},
			Schedule: experiment.Chunked, Workers: 2},
		Trial: experiment.Trial{Step: experiment.Step{Seq: 9, Cell: 4, Rep: 2, Warmup: true},
			StartedAt: time.Date(2026, 11, 27, 7, 10, 50, 123456000, time.UTC), WallNS: 1_000_000_001, UserNS: 2, SysNS: 3,
			Load1: 0.25, HasLoad: true, Digest: experiment.Digest{Hits: 34, Checksum: "ab12"},
			Workers:  []experiment.WorkerStat{{BusyNS: 500, Items: 100, Hits: 17}, {BusyNS: 600, Items: 100, Hits: 17}},
			Mismatch: "wrong answer: 34 primes,\nwant 35", OtherCPUNS: 7, HasOtherCPU: true, QuietWaitNS: 0, HasQuietWait: true,
			ConcludeStatus: 3, HasConclude: true}}
	bare := ExportRow{RunID: 4, RunUUID: "01890a5d-ac96-774b-bcce-b302099a8058", RunName: "b", Hostname: "h", Kernel: "synthetic",
		Scaling: experiment.ScalingStrong,
		Cell:    experiment.Cell{Index: 0, Range: experiment.Range{Start: 0, Count: 1}, Schedule: experiment.Static, Workers: 1},
		Trial: experiment.Trial{StartedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), WallNS: 5,
			Mismatch: "timed out", TimedOut: true}}
	return []ExportRow{full, bare}
}

// export renders rows in format f with a header for maxWorkers.
func export(tb testing.TB, f Format, maxWorkers int, rows []ExportRow) string {
	tb.Helper()
	var b bytes.Buffer
	e, err := NewExportWriter(&b, f)
	if err != nil {
		tb.Fatal(err)
	}
	if err := e.Begin(maxWorkers); err != nil {
		tb.Fatal(err)
	}
	for i := range rows {
		if err := e.Write(&rows[i]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := e.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

func TestExportCSV(t *testing.T) {
	got := export(t, FormatCSV, 2, exportFixture())
	want := "run_id,run_uuid,run_name,hostname,kernel,scaling,cell_idx,range_idx,range_start,range_count,schedule,workers,seq,rep,warmup," +
		"started_at,wall_ns,user_ns,sys_ns,load1,primes,checksum,ok,mismatch,timed_out,other_cpu_ns,quiet_wait_ns,input,exit_status,max_rss_kb,invocation,conclude_status,busy_ns_0,busy_ns_1\r\n" +
		`3,01890a5d-ac96-774b-bcce-b302099a8057,"fix ""ture"", <1>",box,primes,weak,4,1,10000000000000,200,chunked,2,9,2,1,` +
		"2026-11-27T07:10:50.123456Z,1000000001,2,3,0.25,34,ab12,0,\"wrong answer: 34 primes,\r\nwant 35\",0,7,0,,,,0,3,500,600\r\n" +
		"4,01890a5d-ac96-774b-bcce-b302099a8058,b,h,synthetic,strong,0,0,0,1,static,1,0,0,0," +
		"2026-01-02T03:04:05.000000Z,5,0,0,,0,,0,timed out,1,,,,,,0,,,\r\n"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	rows, err := csv.NewReader(strings.NewReader(got)).ReadAll()
	if err != nil || len(rows) != 3 || len(rows[0]) != len(rows[1]) || len(rows[1]) != len(rows[2]) {
		t.Errorf("encoding/csv reads %d rows (%v), want 3 of equal length", len(rows), err)
	}
	t.Run("NoTrials", func(t *testing.T) {
		if got := export(t, FormatCSV, 0, nil); got != strings.Join(ExportHeader(0), ",")+"\r\n" {
			t.Errorf("got %q, want the header alone", got)
		}
	})
	t.Run("MoreWorkersThanColumns", func(t *testing.T) {
		e, _ := NewExportWriter(&bytes.Buffer{}, FormatCSV)
		e.Begin(1)
		if err := e.Write(&exportFixture()[0]); err == nil || !strings.Contains(err.Error(), "has 2 workers, more than the 1 columns") {
			t.Errorf("Write = %v, want an error", err)
		}
	})
}

func TestExportJSON(t *testing.T) {
	wantFull := `{"run_id":3,"run_uuid":"01890a5d-ac96-774b-bcce-b302099a8057","run_name":"fix \"ture\", <1>","hostname":"box",` +
		`"kernel":"primes","scaling":"weak","cell_idx":4,"range_idx":1,"range_start":10000000000000,"range_count":200,` +
		`"schedule":"chunked","workers":2,"seq":9,"rep":2,"warmup":true,"started_at":"2026-11-27T07:10:50.123456Z",` +
		`"wall_ns":1000000001,"user_ns":2,"sys_ns":3,"load1":0.25,"primes":34,"checksum":"ab12","ok":false,` +
		`"mismatch":"wrong answer: 34 primes,\nwant 35","timed_out":false,"other_cpu_ns":7,"quiet_wait_ns":0,"input":null,"exit_status":null,"max_rss_kb":null,"invocation":0,"conclude_status":3,` +
		`"per_worker":[{"worker":0,"busy_ns":500,"items":100,"primes":17},{"worker":1,"busy_ns":600,"items":100,"primes":17}]}`
	wantBare := `{"run_id":4,"run_uuid":"01890a5d-ac96-774b-bcce-b302099a8058","run_name":"b","hostname":"h",` +
		`"kernel":"synthetic","scaling":"strong","cell_idx":0,"range_idx":0,"range_start":0,"range_count":1,` +
		`"schedule":"static","workers":1,"seq":0,"rep":0,"warmup":false,"started_at":"2026-01-02T03:04:05.000000Z",` +
		`"wall_ns":5,"user_ns":0,"sys_ns":0,"load1":null,"primes":0,"checksum":"","ok":false,` +
		`"mismatch":"timed out","timed_out":true,"other_cpu_ns":null,"quiet_wait_ns":null,"input":null,"exit_status":null,"max_rss_kb":null,"invocation":0,"conclude_status":null,"per_worker":[]}`
	check := func(f Format, rows []ExportRow, want string) {
		t.Helper()
		if got := export(t, f, 2, rows); got != want {
			t.Errorf("%s: got\n%s\nwant\n%s", f, got, want)
		}
	}
	check(FormatJSON, exportFixture(), "[\n"+wantFull+",\n"+wantBare+"\n]\n")
	check(FormatJSONL, exportFixture(), wantFull+"\n"+wantBare+"\n")
	check(FormatJSON, nil, "[\n]\n")
	check(FormatJSONL, nil, "")
	var v []map[string]any
	if err := json.Unmarshal([]byte(export(t, FormatJSON, 2, exportFixture())), &v); err != nil || len(v) != 2 {
		t.Errorf("the document does not parse as an array of 2: %v", err)
	}
	sc := bufio.NewScanner(strings.NewReader(export(t, FormatJSONL, 2, exportFixture())))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil || len(m) != len(exportColumns)+1 {
			t.Errorf("line %s: %d keys (%v), want %d", sc.Text(), len(m), err, len(exportColumns)+1)
		}
	}
}

func TestExportWriterOrder(t *testing.T) {
	for _, f := range ExportFormats {
		e, err := NewExportWriter(&bytes.Buffer{}, f)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Write(&exportFixture()[0]); !errors.Is(err, ErrExportOrder) {
			t.Errorf("%s: Write before Begin = %v, want ErrExportOrder", f, err)
		}
		if err := e.Begin(2); err != nil {
			t.Fatal(err)
		}
		if err := e.Begin(2); !errors.Is(err, ErrExportOrder) {
			t.Errorf("%s: second Begin = %v, want ErrExportOrder", f, err)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		if err := e.Write(&exportFixture()[0]); !errors.Is(err, ErrExportOrder) {
			t.Errorf("%s: Write after Close = %v, want ErrExportOrder", f, err)
		}
	}
	if _, err := NewExportWriter(&bytes.Buffer{}, FormatTable); err == nil {
		t.Error("NewExportWriter(table) succeeded, want an error")
	}
}

// TestExportColumnsDocumented checks that docs/export.md names, as `name`
// in a table row, every CSV column and JSON key exp export writes (the
// busy_ns_N columns as `busy_ns_N`).
func TestExportColumnsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/export.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, line := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(line, "| `") {
			cell, _, _ := strings.Cut(line[1:], "|")
			for _, m := range regexp.MustCompile("`([a-z0-9_N]+)`").FindAllStringSubmatch(cell, -1) {
				documented[m[1]] = true
			}
		}
	}
	check := func(name, where string) {
		t.Helper()
		if !documented[regexp.MustCompile(`^busy_ns_\d+$`).ReplaceAllString(name, "busy_ns_N")] {
			t.Errorf("%s %q is not in a table of docs/export.md", where, name)
		}
	}
	for _, h := range ExportHeader(3) {
		check(h, "CSV column")
	}
	var v []any
	if err := json.Unmarshal([]byte(export(t, FormatJSON, 2, exportFixture())), &v); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				check(k, "JSON key")
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	if h := ExportHeader(0); !slices.Equal(h[:3], []string{"run_id", "run_uuid", "run_name"}) || h[len(h)-1] != "conclude_status" {
		t.Errorf("header %q does not run from run_id to conclude_status", h)
	}
}

// TestExportKernelsDocumented: the kernel row of docs/export.md names
// every kernel an experiment file may choose, as the column's values.
func TestExportKernelsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/export.md")
	if err != nil {
		t.Fatal(err)
	}
	var row string
	for _, line := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(line, "| `kernel` |") {
			row = line
		}
	}
	if row == "" {
		t.Fatal("docs/export.md has no row for the kernel column")
	}
	for _, k := range experiment.KernelNames() {
		if !strings.Contains(row, "`"+k+"`") {
			t.Errorf("docs/export.md: the kernel row does not name kernel %s: %s", k, row)
		}
	}
}
