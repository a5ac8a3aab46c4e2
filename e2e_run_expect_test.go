package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunExpectations: an experiment file's expect list is judged when
// exp run ends, with exp check's verdicts and exit statuses; a bad
// expectation is a config error (exit 2) before any database is made.
func TestRunExpectations(t *testing.T) {
	dir := t.TempDir()
	runFile := func(name, body string) result {
		t.Helper()
		writeFile(t, dir, name+".yaml", body)
		return exp(t, dir, nil, "run", name+".yaml", "--db", name+".db")
	}
	run := func(name, expect string) result {
		t.Helper()
		return runFile(name, checkYAML+"expect:\n"+expect)
	}
	status := func(db string) string {
		t.Helper()
		d := openDB(t, filepath.Join(dir, db))
		var s string
		if err := d.QueryRow(`SELECT status FROM runs`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}

	// B is about 0.2 (see checkYAML), speedup@4 about 2.5.
	if r := run("pass", "  - b <= 0.5\n  - speedup@4 >= 1.5\n"); r.code != 0 ||
		!strings.Contains(r.stderr, "b <= 0.5") || !strings.Contains(r.stderr, "pass") {
		t.Fatalf("passing gates: exit %d\n%s", r.code, r.stderr)
	}
	r := run("fail", "  - b <= 0.5\n  - efficiency@4 >= 0.9\n")
	if r.code != 4 || !strings.Contains(r.stderr, "efficiency@4 >= 0.9") || !strings.Contains(r.stderr, "check failed") {
		t.Fatalf("failing gate: exit %d, want 4\n%s", r.code, r.stderr)
	}
	// The gate judges the run; it does not change how the run ended.
	if s := status("fail.db"); s != "done" {
		t.Errorf("the failed gate's run is %q, want done", s)
	}
	if !strings.Contains(r.stderr, "efficiency@4 >= 0.9: check failed") {
		t.Errorf("the error line does not name the failed expectation:\n%s", r.stderr)
	}
	// exp check on the same run gives the same verdict, with the file's
	// expect list when given no --expect.
	for _, args := range [][]string{{"--expect", "efficiency@4 >= 0.9"}, nil} {
		c := exp(t, dir, nil, append([]string{"check", "--db", "fail.db"}, args...)...)
		if c.code != 4 || !strings.Contains(c.stderr, "efficiency@4 >= 0.9: check failed") {
			t.Errorf("exp check %v: exit %d, want 4\n%s", args, c.code, c.stderr)
		}
	}
	// A shard holds part of the matrix: it is not judged.
	sh := exp(t, dir, nil, "run", "fail.yaml", "--shard", "0/2", "--db", "shard.db")
	if sh.code != 0 || !strings.Contains(sh.stderr, "expect: not judged on shard 0/2") {
		t.Errorf("shard: exit %d, want 0 and a note\n%s", sh.code, sh.stderr)
	}

	for _, tc := range []struct{ name, expect, want, at string }{
		{"badexpr", "  - b => 0.05\n", "want a comparison", "9:7"},
		{"badworkers", "  - speedup@8 >= 3\n", "no cell has 8 workers", "9:5"},
		{"percent", "  - efficiency@2 >= 90\n", "efficiency is a fraction, 0.9 for 90%", "9:21"},
		{"noone", "  - efficiency@2 >= 0.5\n", "is measured against the 1-worker cell", "9:5"},
		{"weak", "  - b <= 0.5\n", "b is fitted under strong scaling only", "10:5"},
	} {
		body := checkYAML
		switch tc.name {
		case "noone":
			body = strings.Replace(body, "workers: [1, 2, 4]", "workers: [2, 4]", 1)
		case "weak":
			body += "scaling: weak\n"
		}
		r := runFile(tc.name, body+"expect:\n"+tc.expect)
		want := tc.name + ".yaml:" + tc.at
		if r.code != 2 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, tc.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%s: exit %d, want 2 and one line naming %s\n%s", tc.name, r.code, want, r.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, tc.name+".db")); !os.IsNotExist(err) {
			t.Errorf("%s: a database was made (%v)", tc.name, err)
		}
	}
}
