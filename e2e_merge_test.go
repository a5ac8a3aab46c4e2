package main

import (
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// mergeYAML is a tiny matrix of the synthetic sleep kernel: 4 trials of a
// few milliseconds.
const mergeYAML = `name: merge
seed: 5
repeats: 2
warmup: 0
kernel: synthetic
synthetic: {serial: 1ms, parallel: 4ms, mode: sleep}
workers: [1, 2]
`

// runsOf returns the uuid and hostname of each run in the file at path.
func runsOf(t *testing.T, path string) map[string]string {
	t.Helper()
	rows, err := openDB(t, path).Query(`SELECT uuid, hostname FROM runs`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var u, h string
		if err := rows.Scan(&u, &h); err != nil {
			t.Fatal(err)
		}
		out[u] = h
	}
	return out
}

// TestMergeEndToEnd runs an experiment into two files, as on two machines,
// merges them into a third, reads the result back with exp runs and exp
// report, merges them again, and gives exp merge a file that is not a
// database.
func TestMergeEndToEnd(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "m.yaml", mergeYAML)
	for _, db := range []string{"a.db", "b.db", "b.db"} {
		if r := exp(t, dir, nil, "run", "m.yaml", "--db", db, "-q"); r.code != 0 {
			t.Fatalf("run into %s: exit %d\n%s", db, r.code, r.stderr)
		}
	}
	execSQL(t, filepath.Join(dir, "b.db"), `UPDATE runs SET hostname = 'node-b'`) // b.db is from another machine
	want := runsOf(t, filepath.Join(dir, "a.db"))
	for u, h := range runsOf(t, filepath.Join(dir, "b.db")) {
		want[u] = h
	}
	if len(want) != 3 {
		t.Fatalf("%d runs in a.db and b.db, want 3", len(want))
	}

	r := exp(t, dir, nil, "merge", "out.db", "a.db", "b.db")
	wantOut := "a.db: 1 run added, 0 already present\nb.db: 2 runs added, 0 already present\ntotal: 3 runs added to out.db, 0 already present\n"
	if r.code != 0 || r.stdout != wantOut || r.stderr != "merge: reading a.db (1 of 2)\nmerge: reading b.db (2 of 2)\n" {
		t.Fatalf("merge: exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
	out := filepath.Join(dir, "out.db")
	if got := runsOf(t, out); !reflect.DeepEqual(got, want) {
		t.Errorf("out.db holds %v, want %v", got, want)
	}

	t.Run("RunsAndReport", func(t *testing.T) {
		r := exp(t, dir, nil, "runs", "--db", "out.db", "--format", "csv")
		rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
		if r.code != 0 || err != nil || len(rows) != 4 {
			t.Fatalf("runs: exit %d, %d rows (%v)\n%s%s", r.code, len(rows), err, r.stdout, r.stderr)
		}
		uuid, hostCol := slices.Index(rows[0], "uuid"), slices.Index(rows[0], "host")
		for _, row := range rows[1:] {
			if h, ok := want[row[uuid]]; !ok || row[hostCol] != h {
				t.Errorf("runs lists %s on %q, want %q", row[uuid], row[hostCol], h)
			}
			if r := exp(t, dir, nil, "report", "--db", "out.db", "--run", row[uuid]); r.code != 0 || !strings.Contains(r.stdout, "WORKERS") {
				t.Errorf("report --run %s: exit %d\n%s%s", row[uuid], r.code, r.stdout, r.stderr)
			}
		}
	})

	t.Run("AgainAlreadyPresent", func(t *testing.T) {
		sdb := openDB(t, out)
		counts := func() []int {
			var n []int
			for _, table := range []string{"runs", "cells", "trials", "trial_workers", "run_invocations"} {
				n = append(n, queryInt(t, sdb, `SELECT count(*) FROM `+table))
			}
			return n
		}
		before, sum := counts(), fileSum(t, out)
		r := exp(t, dir, nil, "merge", "out.db", "b.db", "--format", "json", "-q")
		var got []struct {
			Input   string   `json:"input"`
			Added   []string `json:"added"`
			Present []string `json:"present"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &got); r.code != 0 || err != nil || r.stderr != "" {
			t.Fatalf("merge again: exit %d (%v)\n%s%s", r.code, err, r.stdout, r.stderr)
		}
		if len(got) != 1 || got[0].Input != "b.db" || got[0].Added == nil || len(got[0].Added) != 0 || len(got[0].Present) != 2 {
			t.Errorf("merge again: %+v, want b.db's 2 runs already present", got)
		}
		r = exp(t, dir, nil, "merge", "out.db", "a.db", "b.db", "-q")
		if r.code != 0 || !strings.Contains(r.stdout, "total: 0 runs added to out.db, 3 already present") {
			t.Errorf("merge again: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if after := counts(); !slices.Equal(after, before) || fileSum(t, out) != sum {
			t.Errorf("merging again changed out.db: rows %v -> %v", before, after)
		}
	})

	t.Run("BadInput", func(t *testing.T) {
		writeFile(t, dir, "notes.db", "name: notes, not a database\n")
		sum := fileSum(t, out)
		for _, target := range []string{"new.db", "out.db"} {
			r := exp(t, dir, nil, "merge", target, "a.db", "notes.db", "-q")
			checkOneLine(t, r, 2, "exp: notes.db: not an exp database")
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
		}
		if slices.ContainsFunc(listDir(t, dir), func(n string) bool { return strings.HasPrefix(n, "new.db") }) || fileSum(t, out) != sum {
			t.Error("a bad input created new.db or changed out.db")
		}
		r := exp(t, dir, nil, "merge", "out.db", "out.db", "-q")
		checkOneLine(t, r, 2, "exp: out.db: input is the output file out.db")
		r = exp(t, dir, nil, "merge", "out.db")
		checkOneLine(t, r, 2, `exp: merge needs OUT.db and at least one IN.db, got ["out.db"]`)
	})
}
