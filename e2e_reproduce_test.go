package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestReproduceEndToEnd: exp reproduce re-runs the stored config with the
// stored seed into the same file, links the new run, and its verdict line
// and exit status agree.
func TestReproduceEndToEnd(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "c.yaml", compareYAML)
	if r := exp(t, dir, nil, "run", "c.yaml", "-q"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	// The file on disk changes; reproduce must use the stored config.
	writeFile(t, dir, "c.yaml", "name: something else\n")
	path := filepath.Join(dir, "exp.db")

	r := exp(t, dir, nil, "reproduce", "1")
	reproduced := strings.Contains(r.stdout, "\nverdict: reproduced")
	if (r.code == 0) != reproduced || (r.code != 0 && r.code != 3) {
		t.Fatalf("exit %d disagrees with the verdict:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "reproducing run 1 (") {
		t.Errorf("stderr does not say what it reproduces:\n%s", r.stderr)
	}
	db := openDB(t, path)
	for q, want := range map[string]int{
		`SELECT count(*) FROM runs`: 2,
		`SELECT count(*) FROM runs b JOIN runs a ON b.reproduces = a.uuid WHERE a.id = 1 AND b.id = 2 AND b.status = 'done'
			AND b.config_yaml = a.config_yaml AND b.seed = a.seed`: 1,
		// Same seed, same trial order: trial seq k is the same cell and rep
		// in both runs.
		`SELECT count(*) FROM trials x JOIN trials y ON x.seq = y.seq JOIN cells cx ON cx.id = x.cell_id JOIN cells cy ON cy.id = y.cell_id
			WHERE x.run_id = 1 AND y.run_id = 2 AND cx.idx = cy.idx AND x.rep = y.rep AND x.warmup = y.warmup`: 40,
	} {
		if n := queryInt(t, db, q); n != want {
			t.Errorf("%s = %d, want %d", q, n, want)
		}
	}
	if s := exp(t, dir, nil, "show", "2"); !strings.Contains(s.stdout, "reproduces") {
		t.Errorf("show 2 does not say what it reproduces:\n%s", s.stdout)
	}

	// Make the original three times slower in the database: reproducing it
	// now cannot match, and says so with exit status 3.
	execSQL(t, path, `UPDATE trials SET wall_ns = wall_ns * 3 WHERE run_id = 1`)
	r = exp(t, dir, nil, "reproduce", "1", "--format", "json", "-q")
	if r.code != 3 {
		t.Fatalf("exit %d, want 3\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	doc := compareDoc(t, r)
	if doc.Verdict.Reproduced || !strings.HasPrefix(doc.Verdict.Line, "not reproduced: 4 of 4 cells differ") {
		t.Errorf("verdict %+v", doc.Verdict)
	}
	if !strings.Contains(r.stderr, "run 3 does not reproduce run 1: not reproduced") {
		t.Errorf("stderr %q", r.stderr)
	}

	// A missing run or database is bad input.
	for _, args := range [][]string{{"reproduce", "9"}, {"reproduce", "1", "--db", filepath.Join(dir, "none.db")}} {
		if r := exp(t, dir, nil, args...); r.code != 2 {
			t.Errorf("exp %v: exit %d, want 2\n%s", args, r.code, r.stderr)
		}
	}
}
