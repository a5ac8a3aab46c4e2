//go:build linux

package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestExportMemory: exp export streams. Its peak resident set exporting
// 9 trials and exporting 100,000 trials (with 400,000 worker rows) differ
// by less than 16 MB (7 MB here); an export that held them in memory took
// 150 MB more.
func TestExportMemory(t *testing.T) {
	const extra = 100_000
	dir := t.TempDir()
	writeFile(t, dir, "e.yaml", exportYAML)
	for range 2 {
		if r := exp(t, dir, nil, "run", "e.yaml", "-q"); r.code != 0 {
			t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
		}
	}
	path := filepath.Join(dir, "exp.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	// Run 1 gains 100,000 trials of its 4-worker cell.
	for _, s := range []string{
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 100 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO trials (run_id, cell_id, seq, rep, warmup, started_at, wall_ns, user_ns, sys_ns, load1, primes, checksum, ok,
				timed_out, other_cpu_ns)
			SELECT 1, (SELECT id FROM cells WHERE run_id = 1 AND workers = 4), i, i, 0, '2026-11-27T07:10:50.000000Z', 4000000 + i,
				1000, 0, 0.5, 0, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 1, 0, 0 FROM n`, 100+extra-1),
		`INSERT INTO trial_workers (trial_id, worker, busy_ns, items, primes)
			SELECT t.id, w.value, 2000000, 2000, 0 FROM trials t, json_each('[0,1,2,3]') w WHERE t.seq >= 100`,
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	db.Close()
	peak := func(args ...string) int64 {
		t.Helper()
		peakFile := filepath.Join(t.TempDir(), "peak")
		cmd := exec.Command(expBin, append([]string{"export"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(baseEnv(), "EXP_PEAK_RSS_FILE="+peakFile)
		var errb bytes.Buffer
		cmd.Stderr = &errb // stdout: /dev/null
		if err := cmd.Run(); err != nil {
			t.Fatalf("export %q: %v\n%s", args, err, errb.String())
		}
		var kb int64
		if b, err := os.ReadFile(peakFile); err != nil {
			t.Fatalf("exp wrote no peak RSS: %v", err)
		} else if _, err := fmt.Sscanf(string(b), "%d kB", &kb); err != nil {
			t.Fatalf("peak RSS %q: %v", b, err)
		}
		return kb << 10
	}
	for _, format := range []string{"csv", "json"} {
		small, big := peak("--run", "2", "--format", format), peak("--format", format)
		t.Logf("%s: peak RSS %.1f MB for 9 trials, %.1f MB for %d", format, float64(small)/(1<<20), float64(big)/(1<<20), extra+18)
		if big-small > 16<<20 {
			t.Errorf("%s: exporting %d trials took %.1f MB more than exporting 9", format, extra+18, float64(big-small)/(1<<20))
		}
	}
}
