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
	run := func(name, expect string) result {
		t.Helper()
		writeFile(t, dir, name+".yaml", checkYAML+"expect:\n"+expect)
		return exp(t, dir, nil, "run", name+".yaml", "--db", name+".db")
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
	// exp check on the same run gives the same verdict.
	if c := exp(t, dir, nil, "check", "--db", "fail.db", "--expect", "efficiency@4 >= 0.9"); c.code != 4 {
		t.Errorf("exp check: exit %d, want 4\n%s", c.code, c.stderr)
	}

	for _, tc := range []struct{ name, expect, want string }{
		{"badexpr", "  - b => 0.05\n", "want a comparison"},
		{"badworkers", "  - speedup@8 >= 3\n", "no cell has 8 workers"},
	} {
		r := run(tc.name, tc.expect)
		want := tc.name + ".yaml:" + map[string]string{"badexpr": "9:7", "badworkers": "9:5"}[tc.name]
		if r.code != 2 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, tc.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%s: exit %d, want 2 and one line naming %s\n%s", tc.name, r.code, want, r.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, tc.name+".db")); !os.IsNotExist(err) {
			t.Errorf("%s: a database was made (%v)", tc.name, err)
		}
	}
}
