package main

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/report"
)

// brokenPrimes answers wrongly for one prime, to show that a wrong answer
// fails the trial and the run, and is reported rather than hidden.
type brokenPrimes struct{ experiment.Primes }

func (brokenPrimes) Name() string            { return "broken-primes" }
func (brokenPrimes) Hit(x uint64) bool       { return x != 10000000000037 && experiment.IsPrime(x) }
func (brokenPrimes) OracleHit(x uint64) bool { return experiment.Primes{}.OracleHit(x) }

func TestWrongAnswerFailsRun(t *testing.T) {
	experiment.Kernels["broken-primes"] = func(*experiment.Config) experiment.Kernel { return brokenPrimes{} }
	t.Cleanup(func() { delete(experiment.Kernels, "broken-primes") })
	dir := t.TempDir()
	cfg := writeFile(t, dir, "e.yaml", strings.Replace(smallYAML, "name: small", "name: small\nkernel: broken-primes", 1))
	db := filepath.Join(dir, "x.db")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"exp", "run", cfg, "--db", db, "-q"}, &stdout, &stderr)
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "18 of 18 trials found a wrong answer") {
		t.Fatalf("run error = %v (exit %d), want a wrong-answer failure with exit 1", err, exitCode(err))
	}
	sdb := openDB(t, db)
	if n := queryInt(t, sdb, `SELECT count(*) FROM trials WHERE ok = 0 AND mismatch LIKE '%oracle reference%'`); n != 18 {
		t.Errorf("%d trials marked failed, want 18", n)
	}
	if n := queryInt(t, sdb, `SELECT count(*) FROM runs WHERE status = 'failed' AND error LIKE '%wrong answer%'`); n != 1 {
		t.Errorf("run not marked failed")
	}
	stdout.Reset()
	if err := run(context.Background(), []string{"exp", "report", "--db", db}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "FAILED: 3 trials found a wrong answer") {
		t.Errorf("report does not show the failure:\n%s", stdout.String())
	}
	// The benchmark format cannot flag a wrong answer, so it leaves such trials out.
	stdout.Reset()
	if err := run(context.Background(), []string{"exp", "report", "--db", db, "--format", "benchfmt"}, &stdout, &stderr); err != nil || stdout.Len() != 0 {
		t.Errorf("report --format benchfmt of wrong answers = %v, %q; want nothing", err, stdout.String())
	}
}

func TestHoistFlags(t *testing.T) {
	app := newApp(nil, nil)
	check := func(in, want string) {
		t.Helper()
		got, err := hoistFlags(app, strings.Fields(in))
		if err != nil {
			t.Fatalf("hoistFlags(%q): %v", in, err)
		}
		if !slices.Equal(got, strings.Fields(want)) {
			t.Errorf("hoistFlags(%q) = %q, want %q", in, got, want)
		}
	}
	check("exp run e.yaml --db x.db --quiet", "exp run --db x.db --quiet -- e.yaml")
	check("exp run --db x.db e.yaml", "exp run --db x.db -- e.yaml")
	check("exp run -q e.yaml --db=x.db", "exp run -q --db=x.db -- e.yaml")
	check("exp run e.yaml -- --weird.yaml", "exp run -- e.yaml --weird.yaml")
	check("exp report --format csv", "exp report --format csv")
	check("exp --version", "exp --version")
	check("exp help run", "exp help run")
	check("exp", "exp")
	check("exp --db x.db report --format csv", "exp report --db x.db --format csv")
	check("exp -h run", "exp -h run")
	check("exp h run", "exp h run")
	check("exp run e.yaml -h", "exp run --help")
	check("exp run --db x.db e.yaml --help", "exp run --help")
	for _, bad := range []string{"exp nope", "exp run e.yaml -q --db", "exp report --format csv --run", "exp run e.yaml --db -- x",
		"exp help nosuch", "exp --db x.db", "exp -q", "exp run e.yaml --db=", "exp report --run="} {
		if _, err := hoistFlags(app, strings.Fields(bad)); err == nil || exitCode(err) != 2 {
			t.Errorf("hoistFlags(%q): err %v, exit %d; want a usage error", bad, err, exitCode(err))
		}
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"exp.db":          "exp.db",
		"/tmp/x-1/a_b.db": "/tmp/x-1/a_b.db",
		"my runs/x.db":    "'my runs/x.db'",
		"it's.db":         `'it'\''s.db'`,
		"":                "''",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestConfidenceFlag(t *testing.T) {
	db := filepath.Join(t.TempDir(), "none.db") // never opened: the flag is checked first
	for _, tc := range []struct{ value, want string }{
		{"95", "--confidence must be from 0.5 to 0.9999, got 95"},
		{"0", "--confidence must be from 0.5 to 0.9999, got 0"},
		{"0.99999", "--confidence must be from 0.5 to 0.9999, got 0.99999"},
		{"abc", `--confidence must be a number, got "abc"`},
	} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), []string{"exp", "report", "--db", db, "--confidence", tc.value}, &stdout, &stderr)
		if err == nil || exitCode(err) != 2 || err.Error() != tc.want {
			t.Errorf("--confidence %s: err %v (exit %d), want %q with exit 2", tc.value, err, exitCode(err), tc.want)
		}
	}
}

// TestExportHelpNamesEveryColumn: exp export --help, which lists the
// columns in order, names every per-trial column the export writes, so
// that a column added to report's list is added to the help too.
func TestExportHelpNamesEveryColumn(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"exp", "export", "--help"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	words := map[string]bool{}
	for _, w := range strings.FieldsFunc(stdout.String(), func(r rune) bool {
		return !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		words[w] = true
	}
	for _, col := range report.ExportHeader(0) {
		if !words[col] {
			t.Errorf("exp export --help does not name the column %s", col)
		}
	}
}
