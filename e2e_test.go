package main

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// expBin is the exp binary built once for the end-to-end tests.
var expBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "exp-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	expBin = filepath.Join(dir, "exp")
	if out, err := exec.Command("go", "build", "-o", expBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build exp: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one run of the binary did.
type result struct {
	code           int
	stdout, stderr string
}

// baseEnv is the test's environment without $EXP_DB, which would choose
// the database (and which exp refuses when it is set but empty), and
// without the array-job variables that would make exp run a shard (tests
// run inside a Slurm job too).
func baseEnv() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "EXP_DB=") || strings.HasPrefix(kv, "SLURM_") || strings.HasPrefix(kv, "JOB_COMPLETION_INDEX=")
	})
}

// exp runs the binary in dir with args and extra environment variables.
func exp(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	return expStdin(t, dir, env, "", args...)
}

// expStdin is exp with stdin as the command's standard input.
func expStdin(t *testing.T, dir string, env []string, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(expBin, args...)
	cmd.Dir = dir
	cmd.Env = append(baseEnv(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("exp %v: %v", args, err)
	}
	return result{code, out.String(), errb.String()}
}

// smallYAML is a matrix of 3 schedules x 2 worker counts, 2 repeats + 1 warmup: 18 trials.
const smallYAML = `name: small
seed: 7
repeats: 2
warmup: 1
ranges:
  - {start: 10000000000000, count: 200}
workers: [1, 2]
schedules: [per-item, chunked, static]
chunk: 4
`

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func openDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func queryInt(t *testing.T, db *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "e.yaml", smallYAML)
	r := exp(t, dir, nil, "run", "e.yaml")
	if r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "progress: 18/18 trials") || !strings.Contains(r.stderr, "run 1 done: 18 trials") {
		t.Errorf("stderr lacks progress and summary:\n%s", r.stderr)
	}
	db := openDB(t, filepath.Join(dir, "exp.db"))
	if n := queryInt(t, db, `SELECT count(*) FROM trials`); n != 18 {
		t.Errorf("%d trials stored, want 18", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM trials WHERE ok = 1 AND primes = (SELECT expected_primes FROM cells WHERE cells.id = trials.cell_id)`); n != 18 {
		t.Errorf("%d trials match the oracle, want 18", n)
	}
	if n := queryInt(t, db, `SELECT count(DISTINCT checksum) FROM trials`); n != 1 {
		t.Errorf("%d distinct checksums across schedules and workers, want 1", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM runs WHERE status = 'done' AND finished_at IS NOT NULL AND config_yaml = ?`, smallYAML); n != 1 {
		t.Errorf("run row: %d done runs with the verbatim YAML, want 1", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM trial_workers`); n != 3*(1+2)*3 {
		t.Errorf("%d worker rows, want 27", n)
	}
	// What each trial must record, and the run's provenance.
	for q, want := range map[string]int{
		`SELECT count(*) FROM trials WHERE wall_ns > 0 AND user_ns + sys_ns > 0 AND load1 IS NOT NULL`:        18,
		`SELECT count(*) FROM trials WHERE warmup = 1`:                                                        6,
		`SELECT count(DISTINCT seq) FROM trials WHERE seq BETWEEN 0 AND 17`:                                   18,
		`SELECT count(*) FROM (SELECT trial_id FROM trial_workers GROUP BY trial_id HAVING sum(busy_ns) > 0)`: 18,
		`SELECT sum(items) FROM trial_workers`:                                                                18 * 200,
		`SELECT count(*) FROM runs WHERE seed = 7 AND num_cpu > 0 AND gomaxprocs > 0 AND go_version LIKE 'go1.%'
			AND hostname != '' AND os != '' AND arch != '' AND exp_version != '' AND started_at < finished_at`: 1,
	} {
		if n := queryInt(t, db, q); n != want {
			t.Errorf("%s = %d, want %d", q, n, want)
		}
	}
	var sum string
	if err := db.QueryRow(`SELECT config_sha256 FROM runs`).Scan(&sum); err != nil || sum != fmt.Sprintf("%x", sha256.Sum256([]byte(smallYAML))) {
		t.Errorf("config_sha256 = %q (%v), want the SHA-256 of the YAML", sum, err)
	}

	r = exp(t, dir, nil, "report", "--format", "csv")
	if r.code != 0 {
		t.Fatalf("report: exit %d\n%s", r.code, r.stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(rows) != 7 {
		t.Fatalf("report csv: %d rows, err %v\n%s", len(rows), err, r.stdout)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, row := range rows[1:] {
		if row[col["n"]] != "2" || row[col["primes"]] == "" || row[col["median_s"]] == "" {
			t.Errorf("row %v: want n=2 and a median", row)
		}
		if row[col["workers"]] == "1" && row[col["speedup"]] != "1" {
			t.Errorf("1-worker speedup = %q, want 1", row[col["speedup"]])
		}
	}

	for _, f := range []string{"table", "json", "markdown"} {
		if r := exp(t, dir, nil, "report", "--format", f, "--run", "1"); r.code != 0 || r.stdout == "" {
			t.Errorf("report --format %s: exit %d, %d bytes\n%s", f, r.code, len(r.stdout), r.stderr)
		}
	}
	r = exp(t, dir, nil, "runs", "--format", "json")
	var runs []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &runs); err != nil || len(runs) != 1 || runs[0]["trials"] != float64(18) {
		t.Errorf("runs json: %v %v\n%s", err, runs, r.stdout)
	}
	uuid, _ := runs[0]["uuid"].(string)
	if r := exp(t, dir, nil, "report", "--run", uuid[:13], "--format", "json"); r.code != 0 || !strings.Contains(r.stdout, uuid) {
		t.Errorf("report --run <uuid prefix>: exit %d\n%s", r.code, r.stderr)
	}
}

// TestFlagsAfterArguments checks that flags may follow the file, as users
// type them, and mean the same as before it.
func TestFlagsAfterArguments(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "e.yaml", smallYAML)
	for i, args := range [][]string{
		{"run", "e.yaml", "--db", "a.db", "--quiet"},
		{"run", "--db", "b.db", "e.yaml", "-q"},
		{"run", "--quiet", "e.yaml", "--db=c.db"},
	} {
		r := exp(t, dir, nil, args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
		if r.stderr != "" {
			t.Errorf("%v: --quiet printed %q", args, r.stderr)
		}
		db := filepath.Join(dir, string(rune('a'+i))+".db")
		if n := queryInt(t, openDB(t, db), `SELECT count(*) FROM trials`); n != 18 {
			t.Errorf("%v: %d trials in %s, want 18", args, n, db)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "exp.db")); err == nil {
		t.Error("a run with --db also wrote exp.db")
	}
	if r := exp(t, dir, nil, "report", "--format", "csv", "--db", "a.db"); r.code != 0 {
		t.Errorf("report with flags in any order: exit %d\n%s", r.code, r.stderr)
	}
}

// TestDatabaseChoice checks --db over $EXP_DB over the file's key over exp.db.
func TestDatabaseChoice(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "e.yaml", smallYAML+"database: fromfile.db\n")
	check := func(env []string, args []string, want string) {
		t.Helper()
		if r := exp(t, dir, env, append(args, "-q")...); r.code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, want)); err != nil {
			t.Errorf("%v with %v: %s not written", args, env, want)
		}
	}
	check(nil, []string{"run", "e.yaml"}, "fromfile.db")
	check([]string{"EXP_DB=env.db"}, []string{"run", "e.yaml"}, "env.db")
	check([]string{"EXP_DB=env.db"}, []string{"run", "e.yaml", "--db", "flag.db"}, "flag.db")
}

// TestBadInput checks that bad input gets one line, exit status 2, and no
// database is created or changed.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "good.yaml", smallYAML)
	writeFile(t, dir, "bad.yaml", strings.Replace(smallYAML, "workers: [1, 2]", "workers: [1, 0]", 1))
	writeFile(t, dir, "notadb.db", "this is not a database\n")
	writeFile(t, dir, "empty.db", "")
	if r := exp(t, dir, nil, "run", "good.yaml", "--db", "existing.db", "-q"); r.code != 0 {
		t.Fatalf("setup run: exit %d\n%s", r.code, r.stderr)
	}
	before := fileSum(t, filepath.Join(dir, "existing.db"))
	notadb := fileSum(t, filepath.Join(dir, "notadb.db"))
	cases := []struct {
		name string
		args []string
		want string // substring of the single stderr line
	}{
		{"ConfigError", []string{"run", "bad.yaml"}, "bad.yaml:7:14: workers[1]: 0 is out of range (must be an integer from 1 to 65536)"},
		{"ConfigErrorExistingDB", []string{"run", "bad.yaml", "--db", "existing.db"}, "workers[1]"},
		{"MissingFile", []string{"run", "nope.yaml"}, "nope.yaml: cannot read experiment file"},
		{"NoFile", []string{"run"}, "run takes one experiment file"},
		{"UnknownFlag", []string{"run", "good.yaml", "--nope"}, "unknown flag --nope (see exp help run)"},
		{"BadFormat", []string{"report", "--db", "existing.db", "--format", "xml"}, "--format must be one of table, csv, json, markdown"},
		{"UnknownCommand", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"NotADatabase", []string{"report", "--db", "notadb.db"}, "notadb.db"},
		{"NotADatabaseRun", []string{"run", "good.yaml", "--db", "notadb.db"}, "notadb.db"},
		{"MissingDatabase", []string{"report", "--db", "missing.db"}, "missing.db: no database"},
		{"UnknownRun", []string{"report", "--db", "existing.db", "--run", "42"}, "run not found"},
		{"RunZero", []string{"report", "--db", "existing.db", "--run", "0"}, "no run has id 0"},
		{"FlagWithoutValue", []string{"run", "good.yaml", "-q", "--db"}, "flag --db needs a value"},
		{"EmptyDB", []string{"run", "good.yaml", "--db="}, "flag --db needs a non-empty value"},
		{"HelpUnknownTopic", []string{"help", "nosuch"}, `no help for "nosuch"`},
		{"DatabaseIsDirectory", []string{"run", "good.yaml", "--db", "."}, "cannot open database file: it is a directory"},
		{"DatabaseDirMissing", []string{"run", "good.yaml", "--db", "no/such/dir/x.db"}, "cannot open database file"},
		{"EmptyFileReport", []string{"report", "--db", "empty.db"}, "the file is empty"},
		{"GlobalPositionFlag", []string{"--db", "existing.db", "report", "--format", "yaml"}, "--format must be one of"},
		{"RunsBenchfmt", []string{"runs", "--db", "existing.db", "--format", "benchfmt"}, `--format must be one of table, csv, json, markdown, got "benchfmt"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := exp(t, dir, nil, c.args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2\n%s", r.code, r.stderr)
			}
			lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], c.want) {
				t.Errorf("stderr = %q, want one line containing %q", r.stderr, c.want)
			}
		})
	}
	for _, name := range []string{"exp.db", "missing.db", "--", "no"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("bad input created %s", name)
		}
	}
	if fileSum(t, filepath.Join(dir, "existing.db")) != before {
		t.Error("bad input changed existing.db")
	}
	if fileSum(t, filepath.Join(dir, "notadb.db")) != notadb {
		t.Error("exp changed a file that is not a database")
	}
	if st, err := os.Stat(filepath.Join(dir, "empty.db")); err != nil || st.Size() != 0 {
		t.Error("exp report initialised an empty file")
	}
}

// TestInterrupt sends SIGINT mid-run: exit 130, the run is marked
// interrupted, and every finished trial is kept.
func TestInterrupt(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "long.yaml", strings.Replace(smallYAML, "repeats: 2", "repeats: 1000", 1))
	dbPath := filepath.Join(dir, "exp.db")
	_, stderr := interruptAfter(t, dir, dbPath, 1, "run", "long.yaml", "-q")
	db := openDB(t, dbPath)
	kept := queryInt(t, db, `SELECT count(*) FROM trials`)
	if kept < 3 || kept >= 3*2*1001 {
		t.Errorf("%d trials kept", kept)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM runs WHERE status = 'interrupted' AND finished_at IS NOT NULL`); n != 1 {
		t.Errorf("run not marked interrupted")
	}
	if !strings.Contains(stderr, fmt.Sprintf("kept %d finished trials", kept)) {
		t.Errorf("stderr %q does not say how many trials were kept (%d)", stderr, kept)
	}
	if r := exp(t, dir, nil, "report"); r.code != 0 || !strings.Contains(r.stdout, "run status is interrupted") {
		t.Errorf("report of an interrupted run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestHelpAndVersion(t *testing.T) {
	dir := t.TempDir()
	check := func(args []string, wants ...string) {
		t.Helper()
		r := exp(t, dir, nil, args...)
		if r.code != 0 {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
		for _, w := range wants {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%v: stdout lacks %q:\n%s", args, w, r.stdout)
			}
		}
	}
	check([]string{"--version"}, "exp version", "go1.")
	check([]string{"--help"}, "run", "report", "runs", "show")
	check([]string{"show", "--help"}, "[RUN]", "latest (the default)", "--format", "--db")
	check([]string{"help", "run"}, "EXPERIMENT.yaml", "--db", "--quiet")
	check([]string{"run", "--help"}, "EXPERIMENT.yaml")
	check([]string{"report", "--help"}, "--format", "--run", "table, csv, json, markdown, benchfmt")
	if r := exp(t, dir, nil, "runs", "--help"); r.code != 0 || !strings.Contains(r.stdout, "table, csv, json, markdown") || strings.Contains(r.stdout, "benchfmt") {
		t.Errorf("runs --help: exit %d, want the formats of a list of runs, without benchfmt:\n%s", r.code, r.stdout)
	}
	check([]string{"run", "e.yaml", "--db", "x.db", "-h"}, "EXPERIMENT.yaml") // help wins wherever it is typed
}

// TestConcurrentRuns starts three exps at once on a database that does not
// exist yet: all must succeed, as distinct runs, with every trial kept.
func TestConcurrentRuns(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "e.yaml", smallYAML)
	const n = 3
	cmds := make([]*exec.Cmd, n)
	outs := make([]*bytes.Buffer, n)
	for i := range cmds {
		cmds[i] = exec.Command(expBin, "run", "e.yaml", "-q", "--db", "shared.db")
		cmds[i].Dir = dir
		outs[i] = new(bytes.Buffer)
		cmds[i].Stderr = outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("exp %d: %v\n%s", i, err, outs[i])
		}
	}
	db := openDB(t, filepath.Join(dir, "shared.db"))
	if got := queryInt(t, db, `SELECT count(DISTINCT uuid) FROM runs WHERE status = 'done'`); got != n {
		t.Errorf("%d done runs, want %d", got, n)
	}
	if got := queryInt(t, db, `SELECT count(*) FROM trials`); got != n*18 {
		t.Errorf("%d trials, want %d", got, n*18)
	}
}

// TestProgressOnTerminal runs exp under a pseudo-terminal (util-linux
// script): stderr then shows a redrawn bar with an ETA, not plain lines.
func TestProgressOnTerminal(t *testing.T) {
	if _, err := exec.LookPath("script"); err != nil {
		t.Skip("script(1) from util-linux is not installed")
	}
	dir := t.TempDir()
	writeFile(t, dir, "e.yaml", smallYAML)
	cmd := exec.Command("script", "-qec", expBin+" run e.yaml --db tty.db", "/dev/null")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	s := string(out)
	if !strings.Contains(s, "\r\033[K[") || !strings.Contains(s, "18/18 trials") || !strings.Contains(s, "ETA") || strings.Contains(s, "progress: ") {
		t.Errorf("terminal output lacks a redrawn bar with an ETA:\n%q", s)
	}
}

// syntheticYAML has a known serial fraction: B = 10ms / (10ms + 90ms) = 0.10.
const syntheticYAML = `name: synthetic-sleep
seed: 3
repeats: 10
warmup: 1
kernel: synthetic
synthetic: {serial: 10ms, parallel: 90ms, mode: sleep}
workers: [1, 2, 4, 8, 16, 32]
`

// benchstatVersion is the golang.org/x/perf version in go.mod; its
// benchstat reads exp report --format benchfmt here and in .ci/run.
const benchstatVersion = "v0.0.0-20260908200009-22c9c6c9d4da"
