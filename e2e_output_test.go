package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportOutput checks exp report --output (writeOutput, which
// TestWriteOutput tests on its own): the file holds what stdout would, in
// every format, html included, and bad input leaves the older file as it
// was and no temporary file behind.
func TestReportOutput(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "e.yaml", smallYAML)
	if r := exp(t, dir, nil, "run", "e.yaml", "-q"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	want := exp(t, dir, nil, "report", "--format", "csv").stdout
	read := func(name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	writeFile(t, dir, "out.csv", "old contents\n")
	if err := os.Chmod(filepath.Join(dir, "out.csv"), 0o640); err != nil {
		t.Fatal(err)
	}
	if r := exp(t, dir, nil, "report", "--format", "csv", "--output", "out.csv"); r.code != 0 || r.stdout != "" {
		t.Fatalf("--output out.csv: exit %d, stdout %q\n%s", r.code, r.stdout, r.stderr)
	}
	if got := read("out.csv"); got != want {
		t.Errorf("out.csv = %q, want the report's stdout %q", got, want)
	}
	if st, err := os.Stat(filepath.Join(dir, "out.csv")); err != nil || st.Mode().Perm() != 0o640 {
		t.Errorf("out.csv: %v, mode %v, want the old file's 0640", err, st.Mode().Perm())
	}
	if r := exp(t, dir, nil, "report", "-o", "-", "--format", "csv"); r.code != 0 || r.stdout != want {
		t.Errorf("-o -: exit %d, stdout %q, want the report", r.code, r.stdout)
	}
	if r := exp(t, dir, nil, "report", "--format", "html", "-o", "new.html"); r.code != 0 || !strings.HasPrefix(read("new.html"), "<!DOCTYPE html>") {
		t.Errorf("--format html -o new.html: exit %d\n%s", r.code, r.stderr)
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"MissingDir", []string{"--output", "no/such/dir/r.html"}, "--output no/such/dir/r.html: cannot create a file in no/such/dir: no such file or directory"},
		{"Directory", []string{"--output", "."}, "--output . is a directory"},
		{"Database", []string{"--output", "exp.db", "--format", "html"}, "--output exp.db is the database being read"},
		{"Empty", []string{"--output="}, "flag --output needs a non-empty value"},
		{"UnknownRunKeepsFile", []string{"--output", "out.csv", "--run", "42"}, "run not found"},
		{"BadFormatKeepsFile", []string{"--output", "out.csv", "--format", "xml"}, "--format must be one of table, csv, json, markdown, benchfmt, html"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := exp(t, dir, nil, append([]string{"report"}, c.args...)...)
			if r.code != 2 || !strings.Contains(r.stderr, c.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 2 and one line containing %q", r.code, r.stderr, c.want)
			}
			if got := read("out.csv"); got != want {
				t.Errorf("out.csv changed to %q", got)
			}
		})
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("a temporary file was left behind: %s", e.Name())
		}
	}
}
