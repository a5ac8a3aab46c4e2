package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/exp-tool/exp/migrations"
)

// schema1 is a database written by exp at commit 2288b8d, when the schema
// was 0001_init alone (testdata/schema1.yaml, testdata/README.md).
const schema1 = "testdata/schema1.db"

// copySchema1 copies schema1 into a temporary directory.
func copySchema1(t *testing.T) (dir, path string) {
	t.Helper()
	b, err := os.ReadFile(schema1)
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	path = filepath.Join(dir, "old.db")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, path
}

// latestMigration is the highest migration version exp knows.
func latestMigration(t *testing.T) int {
	t.Helper()
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("migrations: %v, %v", names, err)
	}
	return len(names)
}

// reportCells runs exp report --format json and returns its cells' medians
// and trial counts.
func reportCells(t *testing.T, dir string, args ...string) (medians []float64, ns []int) {
	t.Helper()
	r := exp(t, dir, baseEnv(), append([]string{"report", "--format", "json"}, args...)...)
	if r.code != 0 {
		t.Fatalf("exp report %v: exit %d\n%s", args, r.code, r.stderr)
	}
	var doc struct {
		Cells []struct {
			N      int     `json:"n"`
			Median float64 `json:"median_s"`
		} `json:"cells"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range doc.Cells {
		medians, ns = append(medians, c.Median), append(ns, c.N)
	}
	return medians, ns
}

// TestSchema1Database: the first schema's database, committed in testdata,
// is read by today's exp without being written (runs, report, show,
// check, suggest), and
// upgraded to the latest schema by the first write, after which its run
// reports the same numbers and the views cover it.
func TestSchema1Database(t *testing.T) {
	dir, path := copySchema1(t)
	before := fileSum(t, path)

	r := exp(t, dir, baseEnv(), "runs", "--db", path, "--format", "json")
	var runs []struct {
		Name    string `json:"name"`
		Status  string `json:"status"`
		Scaling string `json:"scaling"`
		Host    struct {
			Hostname string `json:"hostname"`
		} `json:"host"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &runs) != nil || len(runs) != 1 {
		t.Fatalf("exp runs: exit %d, %q\n%s", r.code, r.stdout, r.stderr)
	}
	if got := runs[0]; got.Name != "schema1" || got.Status != "done" || got.Scaling != "strong" || got.Host.Hostname == "" {
		t.Errorf("old run = %+v; want schema1, done, strong, with its host", got)
	}
	medians, ns := reportCells(t, dir, "--db", path)
	if len(ns) != 4 {
		t.Fatalf("report of the old run has %d cells, want 4 (1 range x 2 schedules x 2 worker counts)", len(ns))
	}
	for i, n := range ns {
		if n != 3 {
			t.Errorf("cell %d: n = %d, want 3", i, n)
		}
	}
	if r := exp(t, dir, baseEnv(), "show", "--db", path); r.code != 0 {
		t.Errorf("exp show: exit %d\n%s", r.code, r.stderr)
	}
	// exp check and exp suggest read the run's report too: a verdict
	// (0 pass, 4 fail, 5 inconclusive) and a plan, nothing written.
	if r := exp(t, dir, baseEnv(), "check", "--db", path, "--expect", "b <= 0.5"); r.code != 0 && r.code != 4 && r.code != 5 {
		t.Errorf("exp check: exit %d\n%s", r.code, r.stderr)
	}
	if r := exp(t, dir, baseEnv(), "suggest", "--db", path); r.code != 0 {
		t.Errorf("exp suggest: exit %d\n%s", r.code, r.stderr)
	}
	if fileSum(t, path) != before {
		t.Fatal("reading the old database changed it: readers must never write")
	}
	if v := queryInt(t, openDB(t, path), `SELECT max(version) FROM schema_migrations`); v != 1 {
		t.Fatalf("after reading, schema version %d, want 1", v)
	}

	// The first write upgrades it.
	writeFile(t, dir, "new.yaml", `name: after-upgrade
repeats: 2
warmup: 0
kernel: synthetic
synthetic: {mode: sleep, serial: 1ms, parallel: 2ms}
workers: [1, 2]
schedules: [static]
`)
	if r := exp(t, dir, baseEnv(), "run", "new.yaml", "--db", path, "--quiet"); r.code != 0 {
		t.Fatalf("exp run on the old database: exit %d\n%s", r.code, r.stderr)
	}
	db := openDB(t, path)
	if v, want := queryInt(t, db, `SELECT max(version) FROM schema_migrations`), latestMigration(t); v != want {
		t.Errorf("after a write, schema version %d, want %d", v, want)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM runs WHERE scaling = 'strong' AND cpu_bound = 1 AND reproduces IS NULL AND name = 'schema1'`); n != 1 {
		t.Errorf("upgraded old run: %d rows with the defaults of 0002 and 0003, want 1", n)
	}
	if n := queryInt(t, db, `SELECT invocations FROM run_summary WHERE name = 'schema1'`); n != 1 {
		t.Errorf("upgraded old run has %d invocations, want its start (0004)", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM cell_stats s JOIN runs r ON r.id = s.run_id WHERE r.name = 'schema1' AND s.n = 3`); n != 4 {
		t.Errorf("cell_stats covers %d of the old run's 4 cells with n = 3", n)
	}
	after, afterNs := reportCells(t, dir, "--db", path, "--run", "1")
	for i := range medians {
		if i >= len(after) || after[i] != medians[i] || afterNs[i] != ns[i] {
			t.Errorf("cell %d after the upgrade: median %v n %d; before: %v n %d", i, after, afterNs, medians[i], ns[i])
			break
		}
	}
}
