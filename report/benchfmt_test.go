package report

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/host"
	"golang.org/x/perf/benchfmt"
)

// readBenchfmt parses WriteBenchfmt's output of rep with x/perf's reader,
// failing on any syntax error.
func readBenchfmt(t *testing.T, rep *Report) []*benchfmt.Result {
	t.Helper()
	var b bytes.Buffer
	if err := WriteBenchfmt(&b, rep); err != nil {
		t.Fatal(err)
	}
	var out []*benchfmt.Result
	rd := benchfmt.NewReader(&b, "report.benchfmt")
	for rd.Scan() {
		switch rec := rd.Result().(type) {
		case *benchfmt.Result:
			out = append(out, rec.Clone())
		case *benchfmt.SyntaxError:
			t.Errorf("syntax error: %v", rec)
		}
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// nameKeys splits a benchmark name into its base and its sub-benchmark
// key=value parts, failing on a part that is not key=value.
func nameKeys(t *testing.T, n benchfmt.Name) (string, map[string]string) {
	t.Helper()
	base, parts := n.Parts()
	keys := map[string]string{}
	for _, p := range parts {
		k, v, ok := strings.Cut(strings.TrimPrefix(string(p), "/"), "=")
		if !ok || !strings.HasPrefix(string(p), "/") {
			t.Errorf("name %s: part %q is not /key=value", n, p)
		}
		keys[k] = v
	}
	return string(base), keys
}

// TestBenchfmtParsesBack checks that every measured trial with a right
// answer comes back from x/perf's reader as a Result named by its cell,
// with its wall time in sec/op, and nothing else does.
func TestBenchfmtParsesBack(t *testing.T) {
	run, cells, trials := fixture()
	results := readBenchfmt(t, Build(run, cells, trials, DefaultThresholds))
	var want []experiment.Trial
	for _, c := range cells { // plan order, then run order
		for _, tr := range trials {
			if tr.Cell == c.Index && !tr.Warmup && tr.OK {
				want = append(want, tr)
			}
		}
	}
	if len(results) != len(want) || len(want) != 20 {
		t.Fatalf("%d results, want %d (21 measured trials less 1 wrong answer)", len(results), len(want))
	}
	for i, res := range results {
		tr, c := want[i], cells[want[i].Cell]
		base, keys := nameKeys(t, res.Name)
		if base != "Primes" || len(keys) != 3 || keys["range"] != "1e13+1000" || keys["schedule"] != string(c.Schedule) ||
			keys["workers"] != strconv.Itoa(c.Workers) {
			t.Errorf("result %d: name %s, want Primes with the keys of cell %d", i, res.Name, c.Index)
		}
		if res.Iters != 1 || len(res.Values) != 1 || res.Values[0].Unit != "sec/op" {
			t.Fatalf("result %d: %d iterations, values %v; want 1 iteration of sec/op", i, res.Iters, res.Values)
		}
		checkClose(t, res.Name.String(), res.Values[0].Value, float64(tr.WallNS)/1e9, 1e-15)
		for key, v := range map[string]string{"goos": "linux", "goarch": "amd64", "cpu": "Test CPU", "exp-run": "7",
			"exp-uuid": run.UUID, "exp-name": "fixture", "exp-kernel": "primes", "exp-scaling": "strong", "exp-seed": "42",
			"go-version": "go1.26.8", "hostname": "box", "num-cpu": "2", "gomaxprocs": "2", "exp-status": "done"} {
			if got := res.GetConfig(key); got != v {
				t.Errorf("result %d: config %s = %q, want %q", i, key, got, v)
			}
		}
		for _, key := range []string{"exp-version", "exp-vcs-revision"} { // unknown in the fixture: left out
			if _, ok := res.ConfigIndex(key); ok {
				t.Errorf("result %d: config %s = %q, want it left out when unknown", i, key, res.GetConfig(key))
			}
		}
	}
}

// TestBenchfmtNames checks the name of a cell under each kernel and scaling.
func TestBenchfmtNames(t *testing.T) {
	check := func(kernel, scaling string, c experiment.Cell, want string) {
		t.Helper()
		r := &Report{Run: experiment.Run{Kernel: kernel, Scaling: scaling}}
		if got := benchName(r, c); got != want {
			t.Errorf("benchName(%s, %s, %+v) = %q, want %q", kernel, scaling, c, got, want)
		}
	}
	cell := func(start, count uint64, s experiment.Schedule, w int) experiment.Cell {
		return experiment.Cell{Range: experiment.Range{Start: start, Count: count}, Schedule: s, Workers: w}
	}
	strong, weak := experiment.ScalingStrong, experiment.ScalingWeak
	check("primes", strong, cell(1e13, 1000, experiment.Chunked, 2), "Primes/range=1e13+1000/schedule=chunked/workers=2")
	check("primes", strong, cell(1e14, 2000, experiment.PerItem, 1), "Primes/range=1e14+2000/schedule=per-item/workers=1")
	check("primes", "", cell(1000, 1, experiment.Static, 4), "Primes/range=1e3+1/schedule=static/workers=4")
	check("primes", strong, cell(100, 10, experiment.Static, 1), "Primes/range=100+10/schedule=static/workers=1")
	check("primes", strong, cell(12345678, 5, experiment.Static, 1), "Primes/range=12345678+5/schedule=static/workers=1")
	check("primes", strong, cell(2e13, 5, experiment.Static, 1), "Primes/range=20000000000000+5/schedule=static/workers=1")
	check("primes", strong, cell(1e13+1, 5, experiment.Static, 1), "Primes/range=10000000000001+5/schedule=static/workers=1")
	check("synthetic", strong, cell(0, 90000, experiment.Static, 32), "Synthetic/range=0+90000/schedule=static/workers=32")
	// Weak scaling: the cell with w workers tests count x w numbers; the
	// name gives the file's range, each worker's share.
	check("primes", weak, cell(1e13, 400, experiment.Static, 4), "Primes/range-per-worker=1e13+100/schedule=static/workers=4")
	check("synthetic", weak, cell(0, 180000, experiment.Static, 2), "Synthetic/range-per-worker=0+90000/schedule=static/workers=2")
	check("primes-fast", strong, cell(1e13, 1, experiment.Static, 1), "PrimesFast/range=1e13+1/schedule=static/workers=1")
	check("", strong, cell(1e13, 1, "odd schedule/x", 1), "Kernel/range=1e13+1/schedule=odd_schedule_x/workers=1")
}

// TestBenchfmtConfigValues checks that a value cannot break a line and
// that unknown values are left out.
func TestBenchfmtConfigValues(t *testing.T) {
	run, cells, trials := fixture()
	run.Name = "two\nlines "
	run.Host.CPUModel = ""
	run.Host.VCSRevision, run.Host.VCSModified = "abc123", true
	results := readBenchfmt(t, Build(run, cells, trials, DefaultThresholds))
	if len(results) == 0 {
		t.Fatal("no results")
	}
	res := results[0]
	if got := res.GetConfig("exp-name"); got != "two lines" {
		t.Errorf("exp-name = %q, want %q", got, "two lines")
	}
	if got := res.GetConfig("exp-vcs-revision"); got != "abc123+dirty" {
		t.Errorf("exp-vcs-revision = %q, want abc123+dirty", got)
	}
	if _, ok := res.ConfigIndex("cpu"); ok {
		t.Errorf("cpu = %q, want it left out when unknown", res.GetConfig("cpu"))
	}
	if n := len(results); n != 20 {
		t.Errorf("%d results, want 20", n)
	}
}

// TestBenchfmtNothingMeasured: a run without a correct measured trial
// writes nothing, not a configuration without results.
func TestBenchfmtNothingMeasured(t *testing.T) {
	run, cells, trials := fixture()
	var warmups []experiment.Trial
	for _, tr := range trials {
		if tr.Warmup {
			warmups = append(warmups, tr)
		}
	}
	var b bytes.Buffer
	if err := WriteBenchfmt(&b, Build(run, cells, warmups, DefaultThresholds)); err != nil || b.Len() != 0 {
		t.Errorf("WriteBenchfmt = %v, %q; want nothing", err, b.String())
	}
}

func ExampleWriteBenchfmt() {
	run := experiment.Run{ID: 1, UUID: "01a21bd7-b366-7535-ade5-683f395a5658", Name: "demo", Status: experiment.StatusDone,
		Seed: 42, Kernel: "primes", Scaling: experiment.ScalingStrong, CPUBound: true,
		Host: host.Host{OS: "linux", Arch: "amd64", CPUModel: "AMD EPYC", GoVersion: "go1.26.8", NumCPU: 2, GOMAXPROCS: 2}}
	r := experiment.Range{Start: 10_000_000_000_000, Count: 1000}
	cells := []experiment.Cell{
		{Index: 0, Range: r, Schedule: experiment.Chunked, Workers: 1},
		{Index: 1, Range: r, Schedule: experiment.Chunked, Workers: 2},
	}
	trials := []experiment.Trial{
		{Step: experiment.Step{Seq: 0, Cell: 1, Warmup: true}, WallNS: 60e6, OK: true}, // warmup: left out
		{Step: experiment.Step{Seq: 1, Cell: 0}, WallNS: 107_800_000, OK: true},
		{Step: experiment.Step{Seq: 2, Cell: 1}, WallNS: 54_580_000, OK: true},
		{Step: experiment.Step{Seq: 3, Cell: 1}, WallNS: 54_610_000, OK: false}, // wrong answer: left out
	}
	rep := Build(run, cells, trials, DefaultThresholds)
	if err := WriteBenchfmt(os.Stdout, rep); err != nil {
		fmt.Println(err)
	}
	// Output:
	// goos: linux
	// goarch: amd64
	// cpu: AMD EPYC
	// exp-run: 1
	// exp-uuid: 01a21bd7-b366-7535-ade5-683f395a5658
	// exp-name: demo
	// exp-status: done
	// exp-kernel: primes
	// exp-scaling: strong
	// exp-seed: 42
	// go-version: go1.26.8
	// num-cpu: 2
	// gomaxprocs: 2
	//
	// BenchmarkPrimes/range=1e13+1000/schedule=chunked/workers=1 1 0.1078 sec/op
	// BenchmarkPrimes/range=1e13+1000/schedule=chunked/workers=2 1 0.05458 sec/op
}
