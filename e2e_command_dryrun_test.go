package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestCommandDryRun: a dry run of kernel command lists each cell's command
// line with {workers} substituted, and says it has no estimate: a cell's
// EST. PER TRIAL is "-", or "up to" the file's timeout, never a made-up 0s.
func TestCommandDryRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const yaml = "name: dry\nkernel: command\ncommand: [\"sh\", \"-c\", \"echo {workers}\"]\nworkers: [1, 3]\nrepeats: 2\n"
	writeFile(t, dir, "plain.yaml", yaml)
	writeFile(t, dir, "timed.yaml", yaml+"timeout: 2s\n")
	for file, est := range map[string]string{"plain.yaml": "-", "timed.yaml": "up to 2s (timeout)"} {
		r := exp(t, dir, nil, "run", "--dry-run", file)
		if r.code != 0 {
			t.Fatalf("%s: exit %d\n%s", file, r.code, r.stderr)
		}
		for _, w := range []string{"1", "3"} {
			row := regexp.MustCompile(`(?m)^\d+\s+-\s+static\s+` + w + `\s+3\s+(.*)$`).FindStringSubmatch(r.stdout)
			if row == nil || strings.TrimSpace(row[1]) != est {
				t.Errorf("%s: the %s-worker cell's estimate is %q, want %q:\n%s", file, w, row, est, r.stdout)
			}
			if !strings.Contains(r.stdout, "sh -c 'echo "+w+"'") {
				t.Errorf("%s: no command line for %s workers:\n%s", file, w, r.stdout)
			}
		}
		if !strings.Contains(r.stdout, "estimate: none for kernel command") {
			t.Errorf("%s: the dry run does not say it has no estimate:\n%s", file, r.stdout)
		}
	}
}
