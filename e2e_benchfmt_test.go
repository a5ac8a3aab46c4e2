package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestBenchfmtBenchstat runs a small experiment twice into one database,
// writes each run with --format benchfmt, and gives both files to the real
// benchstat, which must read every line (nothing on stderr) and print every
// cell: in one table per run by default, since exp-run and exp-uuid differ,
// and in one comparison with -ignore exp-run,exp-uuid, as README.md shows.
// It skips when benchstat cannot be built (no network or module cache);
// .ci/run runs benchstat for real.
func TestBenchfmtBenchstat(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "e.yaml", smallYAML)
	for range 2 {
		if r := exp(t, dir, nil, "run", "e.yaml", "-q"); r.code != 0 {
			t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
		}
	}
	var names []string // smallYAML's cells
	for _, s := range []string{"per-item", "chunked", "static"} {
		for _, w := range []int{1, 2} {
			names = append(names, fmt.Sprintf("Primes/range=1e13+200/schedule=%s/workers=%d", s, w))
		}
	}
	for i, file := range []string{"old.txt", "new.txt"} {
		r := exp(t, dir, nil, "report", "--format", "benchfmt", "--run", strconv.Itoa(i+1))
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("report --format benchfmt --run %d: exit %d\n%s", i+1, r.code, r.stderr)
		}
		if !strings.Contains(r.stdout, fmt.Sprintf("\nexp-run: %d\n", i+1)) || !strings.HasPrefix(r.stdout, "goos: ") {
			t.Errorf("run %d: configuration lacks goos or exp-run:\n%s", i+1, r.stdout)
		}
		perName := map[string]int{}
		for _, l := range strings.Split(r.stdout, "\n") {
			if f := strings.Fields(l); strings.HasPrefix(l, "Benchmark") {
				if len(f) != 4 || f[1] != "1" || f[3] != "sec/op" {
					t.Errorf("run %d: line %q, want name, 1 iteration, seconds, sec/op", i+1, l)
				}
				perName[strings.TrimPrefix(f[0], "Benchmark")]++
			}
		}
		for _, n := range names {
			if perName[n] != 2 {
				t.Errorf("run %d: %d lines for %s, want 2 (the measured trials)", i+1, perName[n], n)
			}
		}
		if len(perName) != len(names) {
			t.Errorf("run %d: benchmarks %v, want the %d cells", i+1, perName, len(names))
		}
		writeFile(t, dir, file, r.stdout)
	}

	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH: cannot build benchstat")
	}
	bin := t.TempDir()
	install := exec.Command(goBin, "install", "golang.org/x/perf/cmd/benchstat@"+benchstatVersion)
	install.Dir, install.Env = bin, append(os.Environ(), "GOBIN="+bin)
	if out, err := install.CombinedOutput(); err != nil {
		t.Skipf("cannot build benchstat@%s (no network or module cache?): %v\n%s", benchstatVersion, err, out)
	}
	benchstat := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(filepath.Join(bin, "benchstat"), args...)
		cmd.Dir = dir
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil || errb.Len() > 0 {
			t.Fatalf("benchstat %v: %v\nstderr:\n%s\nstdout:\n%s", args, err, errb.String(), out.String())
		}
		return out.String()
	}
	// rows returns the lines of out that are a row of the cell name.
	rows := func(out, name string) []string {
		var rs []string
		for _, l := range strings.Split(out, "\n") {
			if f := strings.Fields(l); len(f) > 0 && f[0] == name {
				rs = append(rs, l)
			}
		}
		return rs
	}
	out := benchstat("old.txt", "new.txt")
	for _, n := range names {
		if rs := rows(out, n); len(rs) != 2 {
			t.Errorf("benchstat old.txt new.txt: %d rows for %s, want one per run's table:\n%s", len(rs), n, out)
		}
	}
	out = benchstat("-ignore", "exp-run,exp-uuid", "old.txt", "new.txt")
	if !strings.Contains(out, "vs base") {
		t.Errorf("benchstat -ignore exp-run,exp-uuid: no comparison:\n%s", out)
	}
	for _, n := range names {
		if rs := rows(out, n); len(rs) != 1 || !strings.Contains(rs[0], "n=2") {
			t.Errorf("benchstat -ignore exp-run,exp-uuid: rows %q for %s, want one comparing 2 trials with 2:\n%s", rs, n, out)
		}
	}
	gomod, err := os.ReadFile("go.mod")
	if err != nil || !strings.Contains(string(gomod), "golang.org/x/perf "+benchstatVersion) {
		t.Errorf("go.mod does not require golang.org/x/perf %s, the benchstat this test and .ci/run use (%v)", benchstatVersion, err)
	}
}
