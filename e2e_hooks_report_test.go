package main

import (
	"strings"
	"testing"
)

// TestHooksFailuresReported: exp report, long after the run, says which
// conclude hooks failed and that cleanup failed, as exp run said while it
// ran; a run whose hooks all passed gets neither warning.
func TestHooksFailuresReported(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	failing := strings.NewReplacer(
		`conclude: ["sh", "-c", "echo conclude {workers} >> log"]`,
		`conclude: ["sh", "-c", "echo conclude {workers} >> log; [ {workers} = 1 ] || exit 5"]`,
		`cleanup: ["sh", "-c", "echo cleanup >> log; rm -f setup.out"]`,
		`cleanup: ["sh", "-c", "echo cleanup >> log; rm -f setup.out; exit 4"]`,
	).Replace(hooksYAML)
	if failing == hooksYAML {
		t.Fatal("the hooks to fail are not in hooksYAML")
	}
	writeFile(t, dir, "ok.yaml", hooksYAML)
	writeFile(t, dir, "fail.yaml", failing)
	for _, f := range []string{"ok.yaml", "fail.yaml"} {
		if r := exp(t, dir, nil, "run", "-q", f); r.code != 0 {
			t.Fatalf("%s: exit %d\n%s", f, r.code, r.stderr)
		}
	}
	conclude, cleanup := "4 trials' conclude hook failed (exit 5)", "the cleanup hook failed (exit 4)"
	for _, c := range []struct {
		run  string
		want bool
	}{{"1", false}, {"2", true}} {
		r := exp(t, dir, nil, "report", "--run", c.run)
		if r.code != 0 {
			t.Fatalf("report %s: exit %d\n%s", c.run, r.code, r.stderr)
		}
		if strings.Contains(r.stdout, conclude) != c.want || strings.Contains(r.stdout, cleanup) != c.want {
			t.Errorf("report of run %s: want the hook warnings %v:\n%s", c.run, c.want, r.stdout)
		}
	}
}
