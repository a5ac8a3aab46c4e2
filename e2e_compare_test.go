package main

import (
	"database/sql"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// compareYAML is a small matrix with enough trials per cell (10) for the U
// test to reach p < 0.05. The synthetic sleep kernel keeps each cell's
// spread to a fraction of a percent even on a loaded machine, so that a
// 50% change is always far outside the noise.
const compareYAML = `name: cmp
seed: 11
repeats: 10
warmup: 0
kernel: synthetic
synthetic: {serial: 20ms, parallel: 80ms, mode: sleep}
workers: [1, 2, 4, 8]
`

type compareJSON struct {
	Cells []struct {
		Workers int      `json:"workers"`
		Delta   *float64 `json:"delta"`
		P       *float64 `json:"p"`
		Differs bool     `json:"differs"`
		A       struct {
			N int `json:"n"`
		} `json:"a"`
		Warnings []string `json:"warnings"`
	} `json:"cells"`
	OnlyA   []struct{ Workers int } `json:"only_a"`
	OnlyB   []struct{ Workers int } `json:"only_b"`
	Geomean *float64                `json:"geomean"`
	Fits    []struct {
		Agree bool `json:"agree"`
	} `json:"fits"`
	Verdict struct {
		Reproduced bool   `json:"reproduced"`
		Line       string `json:"line"`
	} `json:"verdict"`
}

func compareDoc(t *testing.T, r result) compareJSON {
	t.Helper()
	var doc compareJSON
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("compare json: %v\n%s\n%s", err, r.stdout, r.stderr)
	}
	return doc
}

func TestCompareEndToEnd(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "c.yaml", compareYAML)
	for range 2 {
		if r := exp(t, dir, nil, "run", "c.yaml", "-q"); r.code != 0 {
			t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
		}
	}
	t.Run("WithItself", func(t *testing.T) {
		r := exp(t, dir, nil, "compare", "1", "1", "--format", "json")
		doc := compareDoc(t, r)
		if r.code != 0 || len(doc.Cells) != 4 || !doc.Verdict.Reproduced || doc.Verdict.Line != "reproduced" {
			t.Fatalf("exit %d, %d cells, verdict %+v", r.code, len(doc.Cells), doc.Verdict)
		}
		for _, c := range doc.Cells {
			if c.Differs || c.Delta == nil || *c.Delta != 0 {
				t.Errorf("cell %+v: want no difference", c)
			}
		}
		table := exp(t, dir, nil, "compare", "1", "1")
		if strings.Count(table.stdout, " ~ ") < 4 || !strings.Contains(table.stdout, "verdict: reproduced") {
			t.Errorf("table does not mark every cell ~:\n%s", table.stdout)
		}
	})
	t.Run("ScaledBySQL", func(t *testing.T) {
		// Run 2 becomes run 1 made 50% slower (same seed, so the same
		// trial seq is the same cell), so that the machine's drift between
		// the two runs cannot blur the test.
		execSQL(t, filepath.Join(dir, "exp.db"), `UPDATE trials SET wall_ns =
			(SELECT t1.wall_ns FROM trials t1 WHERE t1.run_id = 1 AND t1.seq = trials.seq) * 3 / 2 WHERE run_id = 2`)
		r := exp(t, dir, nil, "compare", "1", "2", "--format", "json")
		doc := compareDoc(t, r)
		if r.code != 0 || len(doc.Cells) != 4 {
			t.Fatalf("exit %d, %d cells\n%s", r.code, len(doc.Cells), r.stderr)
		}
		for _, c := range doc.Cells {
			if !c.Differs || c.Delta == nil || *c.Delta < 0.49 || *c.Delta > 0.51 || c.P == nil || *c.P >= 0.05 {
				t.Errorf("%d-worker cell: delta %v, p %v, differs %v; want about +50%% and significant", c.Workers, deref(c.Delta), deref(c.P), c.Differs)
			}
		}
		if doc.Geomean == nil || *doc.Geomean < 1.49 || *doc.Geomean > 1.51 {
			t.Errorf("geomean %v, want about 1.5", doc.Geomean)
		}
		if doc.Verdict.Reproduced || !strings.HasPrefix(doc.Verdict.Line, "not reproduced: 4 of 4 cells differ") {
			t.Errorf("verdict %+v, want not reproduced with 4 of 4 cells", doc.Verdict)
		}
	})
	t.Run("UnmatchedAndTwoFiles", func(t *testing.T) {
		other := t.TempDir()
		writeFile(t, other, "c.yaml", strings.Replace(compareYAML, "workers: [1, 2, 4, 8]", "workers: [1, 2, 16, 32]", 1))
		if r := exp(t, other, nil, "run", "c.yaml", "-q"); r.code != 0 {
			t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
		}
		r := exp(t, dir, nil, "compare", "1", "latest", "--db-b", filepath.Join(other, "exp.db"), "--format", "json")
		doc := compareDoc(t, r)
		if len(doc.Cells) != 2 || len(doc.OnlyA) != 2 || len(doc.OnlyB) != 2 || doc.Verdict.Reproduced ||
			!strings.Contains(doc.Verdict.Line, "4 of 6 cells could not be compared") {
			t.Errorf("exit %d: %d matched, %d only in A, %d only in B, verdict %+v", r.code, len(doc.Cells), len(doc.OnlyA), len(doc.OnlyB), doc.Verdict)
		}
		table := exp(t, dir, nil, "compare", "1", "latest", "--db-b", filepath.Join(other, "exp.db"))
		if !strings.Contains(table.stdout, "only in A (run 1): 80ms of work static, 4 workers") {
			t.Errorf("table does not list the unmatched cells:\n%s", table.stdout)
		}
	})
	t.Run("TooFewTrials", func(t *testing.T) {
		few := t.TempDir()
		writeFile(t, few, "c.yaml", strings.Replace(compareYAML, "repeats: 10", "repeats: 3", 1))
		for range 2 {
			exp(t, few, nil, "run", "c.yaml", "-q")
		}
		r := exp(t, few, nil, "compare", "1", "2", "--format", "json")
		doc := compareDoc(t, r)
		if r.code != 0 || len(doc.Cells) != 4 {
			t.Fatalf("exit %d, %d cells", r.code, len(doc.Cells))
		}
		if !strings.HasPrefix(r.stderr, "verdict: ") {
			t.Errorf("stderr %q lacks the verdict line", r.stderr)
		}
		for _, c := range doc.Cells {
			if len(c.Warnings) == 0 || !strings.Contains(c.Warnings[0], "with n = 3+3 the smallest possible p is 0.1") {
				t.Errorf("cell %+v: want the too-few-trials warning", c)
			}
		}
	})
	t.Run("BadInput", func(t *testing.T) {
		for _, args := range [][]string{
			{"compare", "1", "9"},
			{"compare", "1"},
			{"compare", "1", "2", "--db-b", filepath.Join(dir, "missing.db")},
			{"compare", "1", "2", "--threshold", "-5"},
			{"compare", "1", ""},
		} {
			r := exp(t, dir, nil, args...)
			if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || (len(args) > 2 && args[2] == "9" && !strings.Contains(r.stderr, "exp.db: run not found")) {
				t.Errorf("exp %v: exit %d, stderr %q; want one line and exit 2", args, r.code, r.stderr)
			}
		}
	})
}

// execSQL runs a statement on the database file at path, as a user's own
// sqlite3 session would.
func execSQL(t *testing.T, path, stmt string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

func deref(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}
