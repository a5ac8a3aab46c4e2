package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// exportYAML is a quick matrix of the synthetic sleep kernel: 3 cells x
// (2 repeats + 1 warmup) = 9 trials of at most 10 ms.
const exportYAML = `name: export
seed: 5
repeats: 2
warmup: 1
kernel: synthetic
synthetic: {serial: 2ms, parallel: 8ms, mode: sleep}
workers: [1, 2, 4]
`

// exportHeader is the CSV header exp export writes for cells of up to 4 workers.
var exportHeader = []string{"run_id", "run_uuid", "run_name", "hostname", "kernel", "scaling", "cell_idx", "range_idx",
	"range_start", "range_count", "schedule", "workers", "seq", "rep", "warmup", "started_at", "wall_ns", "user_ns", "sys_ns",
	"load1", "primes", "checksum", "ok", "mismatch", "timed_out", "other_cpu_ns", "quiet_wait_ns", "input", "exit_status", "max_rss_kb",
	"invocation", "conclude_status", "busy_ns_0", "busy_ns_1", "busy_ns_2", "busy_ns_3"}

// busyNS returns the busy_ns of the workers of run runID's trial seq, in
// worker order, from the database.
func busyNS(t *testing.T, path string, runID int, seq string) []string {
	t.Helper()
	rows, err := openDB(t, path).Query(`SELECT w.busy_ns FROM trial_workers w JOIN trials t ON t.id = w.trial_id
		WHERE t.run_id = ? AND t.seq = ? ORDER BY w.worker`, runID, seq)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var ns int64
		if err := rows.Scan(&ns); err != nil {
			t.Fatal(err)
		}
		out = append(out, strconv.FormatInt(ns, 10))
	}
	return out
}

func TestExportEndToEnd(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "e.yaml", exportYAML)
	for range 2 {
		if r := exp(t, dir, nil, "run", "e.yaml", "-q"); r.code != 0 {
			t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
		}
	}
	dbPath := filepath.Join(dir, "exp.db")
	trials := queryInt(t, openDB(t, dbPath), `SELECT count(*) FROM trials`)
	if trials != 18 {
		t.Fatalf("%d trials stored, want 18", trials)
	}
	before := fileSum(t, dbPath)
	export := func(t *testing.T, args ...string) string {
		t.Helper()
		r := exp(t, dir, nil, append([]string{"export"}, args...)...)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("export %q: exit %d\n%s", args, r.code, r.stderr)
		}
		return r.stdout
	}

	t.Run("CSV", func(t *testing.T) {
		out := export(t)
		if out != export(t, "--format", "csv") {
			t.Error("the default format is not csv")
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil || len(rows) != trials+1 {
			t.Fatalf("%d rows (%v), want a header and %d trials", len(rows), err, trials)
		}
		if !slices.Equal(rows[0], exportHeader) {
			t.Fatalf("header %q, want %q", rows[0], exportHeader)
		}
		col := func(row []string, name string) string { return row[slices.Index(exportHeader, name)] }
		perRun := map[string]int{}
		for _, row := range rows[1:] {
			perRun[col(row, "run_id")]++
			runID, _ := strconv.Atoi(col(row, "run_id"))
			workers, _ := strconv.Atoi(col(row, "workers"))
			busy := row[slices.Index(exportHeader, "busy_ns_0"):]
			want := busyNS(t, dbPath, runID, col(row, "seq"))
			if len(want) != workers || !slices.Equal(busy[:workers], want) || strings.Join(busy[workers:], "") != "" {
				t.Errorf("run %d trial %s (%d workers): busy_ns %q, want %q then empty fields", runID, col(row, "seq"), workers, busy, want)
			}
			if col(row, "ok") != "1" || col(row, "timed_out") != "0" || col(row, "mismatch") != "" || col(row, "quiet_wait_ns") != "" ||
				col(row, "kernel") != "synthetic" || col(row, "scaling") != "strong" {
				t.Errorf("row %q: want a right answer, not timed out, no mismatch or wait, synthetic strong", row)
			}
		}
		if perRun["1"] != 9 || perRun["2"] != 9 {
			t.Errorf("trials per run %v, want 9 of each", perRun)
		}
	})

	t.Run("JSON", func(t *testing.T) {
		var doc []map[string]any
		if err := json.Unmarshal([]byte(export(t, "--format", "json")), &doc); err != nil || len(doc) != trials {
			t.Fatalf("json: %d objects (%v), want one array of %d", len(doc), err, trials)
		}
		for _, o := range doc {
			ws, _ := o["per_worker"].([]any)
			if o["ok"] != true || o["mismatch"] != nil || o["quiet_wait_ns"] != nil || len(ws) != int(o["workers"].(float64)) {
				t.Errorf("object %v: want ok true, null mismatch and wait, a per_worker entry per worker", o)
			}
		}
	})

	t.Run("JSONL", func(t *testing.T) {
		out := export(t, "--format", "jsonl")
		sc := bufio.NewScanner(strings.NewReader(out))
		n := 0
		for sc.Scan() {
			var o map[string]any
			if err := json.Unmarshal(sc.Bytes(), &o); err != nil || o["run_uuid"] == nil {
				t.Fatalf("line %d %q: %v", n+1, sc.Text(), err)
			}
			n++
		}
		if n != trials || !strings.HasSuffix(out, "}\n") {
			t.Errorf("%d lines, want %d objects, one per line", n, trials)
		}
	})

	t.Run("OneRun", func(t *testing.T) {
		rows, err := csv.NewReader(strings.NewReader(export(t, "--run", "1"))).ReadAll()
		if err != nil || len(rows) != 10 {
			t.Fatalf("--run 1: %d rows (%v), want a header and 9 trials", len(rows), err)
		}
		for _, row := range rows[1:] {
			if row[0] != "1" {
				t.Errorf("--run 1 exported a trial of run %s", row[0])
			}
		}
		var doc []map[string]any
		if err := json.Unmarshal([]byte(export(t, "--run", "latest", "-f", "json")), &doc); err != nil || len(doc) != 9 || doc[0]["run_id"] != 2.0 {
			t.Errorf("--run latest: %d objects (%v), want run 2's 9", len(doc), err)
		}
	})

	t.Run("Output", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "trials.csv")
		writeFile(t, filepath.Dir(out), "trials.csv", "old contents\n")
		if got := export(t, "--output", out); got != "" {
			t.Errorf("--output also wrote %d bytes to stdout", len(got))
		}
		b, err := os.ReadFile(out)
		if err != nil || string(b) != export(t) {
			t.Errorf("--output %s holds %d bytes (%v), want what stdout gets", out, len(b), err)
		}
		if names := listDir(t, filepath.Dir(out)); !slices.Equal(names, []string{"trials.csv"}) {
			t.Errorf("the output's directory holds %q, want trials.csv alone", names)
		}
	})

	t.Run("BadInput", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out.json")
		kept := filepath.Join(filepath.Dir(out), "kept.csv")
		writeFile(t, filepath.Dir(kept), "kept.csv", "old contents\n")
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"--format", "xml", "--output", out}, `--format must be one of csv, json, jsonl, got "xml"`},
			{[]string{"--format", "table", "--output", out}, `--format must be one of csv, json, jsonl, got "table"`},
			{[]string{"--run", "7", "--output", out}, "run not found: no run has id 7"},
			{[]string{"--db", "missing.db", "--output", out}, "missing.db: no database"},
			{[]string{"--run", "7", "--output", kept}, "run not found"},
			{[]string{"--output", dbPath}, "--output " + dbPath + " is the database being read (give another file)"},
			{[]string{"--output", filepath.Join(dir, "no", "such", "x.csv")},
				"--output " + filepath.Join(dir, "no", "such", "x.csv") + ": cannot create a file in " + filepath.Join(dir, "no", "such") + ": no such file or directory"},
			{[]string{"extra", "--output", out}, `export takes no arguments, got ["extra"]`},
		} {
			r := exp(t, dir, nil, append([]string{"export"}, tc.args...)...)
			checkOneLine(t, r, 2, "exp: "+tc.want)
			if r.stdout != "" {
				t.Errorf("export %q wrote %q to stdout", tc.args, r.stdout)
			}
		}
		if names := listDir(t, filepath.Dir(out)); !slices.Equal(names, []string{"kept.csv"}) {
			t.Errorf("the output's directory holds %q, want kept.csv alone", names)
		}
		if b, _ := os.ReadFile(kept); string(b) != "old contents\n" {
			t.Errorf("a failed export changed an existing file: %q", b)
		}
	})

	t.Run("Help", func(t *testing.T) {
		r := exp(t, dir, nil, "export", "--help")
		for _, want := range []string{"exp export", "--format FORMAT", "csv, json, jsonl", "--run RUN", "--output FILE", "per_worker", "docs/export.md"} {
			if r.code != 0 || !strings.Contains(r.stdout, want) {
				t.Errorf("exp export --help (exit %d) lacks %q:\n%s", r.code, want, r.stdout)
			}
		}
	})

	if fileSum(t, dbPath) != before {
		t.Error("exp export changed the database")
	}
}

// TestExportOldFileReadOnly exports a write-protected database whose
// trials table predates the noise guard (no timed_out, other_cpu_ns or
// quiet_wait_ns columns), as an older exp wrote it, without changing it.
func TestExportOldFileReadOnly(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "e.yaml", exportYAML)
	if r := exp(t, dir, nil, "run", "e.yaml", "-q"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	path := filepath.Join(dir, "exp.db")
	// Undo 0006_views (which read 0005's columns) and 0005_limits: drop
	// their views and columns, and forget the migrations.
	rw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`DROP VIEW cell_speedup`, `DROP VIEW cell_stats`, `DROP VIEW run_summary`,
		`DELETE FROM schema_migrations WHERE version = 6`, `ALTER TABLE trials DROP COLUMN timed_out`, `ALTER TABLE trials DROP COLUMN other_cpu_ns`,
		`ALTER TABLE trials DROP COLUMN quiet_wait_ns`, `DELETE FROM schema_migrations WHERE version = 5`, `PRAGMA journal_mode = DELETE`} {
		if _, err := rw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	rw.Close()
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	before := fileSum(t, path)
	r := exp(t, dir, nil, "export", "--format", "jsonl")
	if r.code != 0 {
		t.Fatalf("export: exit %d\n%s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 9 {
		t.Fatalf("%d lines, want 9", len(lines))
	}
	for _, l := range lines {
		var o map[string]any
		if err := json.Unmarshal([]byte(l), &o); err != nil || o["timed_out"] != false || o["other_cpu_ns"] != nil || o["quiet_wait_ns"] != nil {
			t.Errorf("%s (%v): want timed_out false, other_cpu_ns and quiet_wait_ns null", l, err)
		}
	}
	if fileSum(t, path) != before {
		t.Error("exp export changed the file")
	}
	if names := listDir(t, dir); !slices.Equal(names, []string{"e.yaml", "exp.db"}) {
		t.Errorf("the directory holds %q, want e.yaml and exp.db", names)
	}
}

// TestExportClosedPipe: exp export | head, where head exits after a line:
// exp stops quietly with 141 (128 + SIGPIPE) and, having returned rather
// than been killed, leaves no -wal or -shm beside the file it read.
func TestExportClosedPipe(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "e.yaml", `name: pipe
repeats: 150
warmup: 0
kernel: synthetic
synthetic: {serial: 0ms, parallel: 20us, mode: sleep}
workers: [1, 2]
`)
	if r := exp(t, dir, baseEnv(), "run", "e.yaml", "-q"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	cmd := exec.Command(expBin, "export", "--db", "exp.db")
	cmd.Dir, cmd.Env = dir, baseEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "run_id,") {
		t.Errorf("first line %q, %v; want the header", line, err)
	}
	out.Close() // 300 trials are more than a pipe holds: exp's next write fails
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 141 || stderr.Len() != 0 {
		t.Errorf("exp export into a closed pipe: %v, stderr %q; want exit 141 and nothing said", err, stderr.String())
	}
	if names := listDir(t, dir); !slices.Equal(names, []string{"e.yaml", "exp.db"}) {
		t.Errorf("the directory holds %q, want e.yaml and exp.db", names)
	}
}
