package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// shardReport is what TestShardsReportTogether reads of exp report's JSON.
type shardReport struct {
	Cells []struct {
		RangeStart uint64   `json:"range_start"`
		Schedule   string   `json:"schedule"`
		Workers    int      `json:"workers"`
		N          int      `json:"n"`
		Median     float64  `json:"median_s"`
		Speedup    *float64 `json:"speedup"`
	} `json:"cells"`
	Fits []struct {
		B        *float64 `json:"b"`
		Warnings []string `json:"warnings"`
	} `json:"fits"`
	Warnings []string `json:"warnings"`
	Drift    struct {
		Skipped *string `json:"skipped"`
	} `json:"drift"`
	Shards *struct {
		Count     int   `json:"count"`
		Missing   []int `json:"missing"`
		CellShard []int `json:"cell_shard"`
	} `json:"shards"`
}

func readShardReport(t *testing.T, dir string, args ...string) shardReport {
	t.Helper()
	r := exp(t, dir, nil, append([]string{"report", "--format", "json"}, args...)...)
	if r.code != 0 {
		t.Fatalf("report %v: exit %d\n%s", args, r.code, r.stderr)
	}
	var rep shardReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("report %v: %v\n%s", args, err, r.stdout)
	}
	return rep
}

// TestShardsReportTogether: exp report on a file merged from a job's
// shards reports the whole matrix, every cell with the median its shard
// measured and a speedup, every curve fitted; a shard whose run is
// missing is named; --shard-only reports one shard; and a curve whose
// cells ran on two nodes is fitted with a warning that says so.
func TestShardsReportTogether(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "s.yaml", smallYAML)
	var parts []string
	for i := range 2 {
		if r := exp(t, dir, nil, "run", "s.yaml", "--shard", fmt.Sprintf("%d/2", i), "--db", "part-{shard}.db", "-q"); r.code != 0 {
			t.Fatalf("shard %d: exit %d\n%s", i, r.code, r.stderr)
		}
		parts = append(parts, fmt.Sprintf("part-%d.db", i))
	}
	if r := exp(t, dir, nil, append([]string{"merge", "-q", "all.db"}, parts...)...); r.code != 0 {
		t.Fatalf("merge: exit %d\n%s", r.code, r.stderr)
	}
	rep := readShardReport(t, dir, "--db", "all.db")
	if len(rep.Cells) != 6 || len(rep.Fits) != 3 || rep.Shards == nil || rep.Shards.Count != 2 || len(rep.Shards.Missing) != 0 {
		t.Fatalf("merged report: %d cells, %d fits, shards %+v; want the matrix's 6 cells and 3 fits from 2 shards", len(rep.Cells), len(rep.Fits), rep.Shards)
	}
	if rep.Drift.Skipped == nil || !strings.Contains(*rep.Drift.Skipped, "the 2 shards ran apart") {
		t.Errorf("merged report: drift %v; want the run-wide test skipped, the shards having run apart", rep.Drift.Skipped)
	}
	// Each cell's median is the one its shard's own report gives; with 2
	// shards the per-item curve is split between them (the cost model puts
	// its 1-worker cell in shard 0, its 2-worker cell in shard 1), so its
	// speedup exists only in the report of both.
	own := map[string]float64{}
	for i := range 2 {
		for _, c := range readShardReport(t, dir, "--db", parts[i]).Cells {
			own[fmt.Sprint(c.Schedule, c.Workers)] = c.Median
		}
	}
	for i, c := range rep.Cells {
		if want := own[fmt.Sprint(c.Schedule, c.Workers)]; c.Median != want || c.N != 2 || c.Speedup == nil {
			t.Errorf("cell %d (%s, %d workers): median %g, n %d, speedup %v; want its shard's median %g, n 2 and a speedup", i, c.Schedule, c.Workers, c.Median, c.N, c.Speedup, want)
		}
	}
	for i, f := range rep.Fits {
		if f.B == nil || strings.Contains(strings.Join(f.Warnings, "|"), "mixed hosts") {
			t.Errorf("fit %d: B %v, warnings %q; want a B and no mixed hosts (one machine ran every shard)", i, f.B, f.Warnings)
		}
	}
	if one := readShardReport(t, dir, "--db", "all.db", "--run", "2", "--shard-only"); len(one.Cells) >= 6 || one.Shards != nil {
		t.Errorf("--shard-only: %d cells, shards %v; want shard 1's cells alone", len(one.Cells), one.Shards)
	}
	// One shard's own file names the shards it lacks.
	if part := readShardReport(t, dir, "--db", parts[0]); part.Shards == nil || fmt.Sprint(part.Shards.Missing) != "[1]" ||
		!strings.Contains(strings.Join(part.Warnings, "|"), "1 shard of 2 missing from this file (1)") {
		t.Errorf("shard 0's file: shards %+v, warnings %q; want shard 1 named missing", part.Shards, part.Warnings)
	}
	// Shard 1 on another node: the curves it shares are fitted, and say so.
	execFK(t, filepath.Join(dir, "all.db"), `UPDATE runs SET node = 'node9' WHERE shard_index = 1`)
	if r := exp(t, dir, nil, "report", "--db", "all.db", "--format", "html"); r.code != 0 || !strings.Contains(r.stdout, "2 of 2 (0: run 1, 1: run 2), on ") || !strings.Contains(r.stdout, "node9") {
		t.Errorf("the HTML report does not name the shards and their hosts: exit %d", r.code)
	}
	mixed := 0
	for _, f := range readShardReport(t, dir, "--db", "all.db").Fits {
		if strings.Contains(strings.Join(f.Warnings, "|"), "mixed hosts: one curve fitted across 2 hosts") {
			mixed++
		}
	}
	if mixed == 0 {
		t.Errorf("no fit warns of mixed hosts after shard 1 moved to node9")
	}
}
