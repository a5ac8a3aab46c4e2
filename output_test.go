package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestWriteOutput(t *testing.T) {
	hello := func(w io.Writer) error { _, err := io.WriteString(w, "hello\n"); return err }
	broken := errors.New("broken")
	failing := func(w io.Writer) error { io.WriteString(w, "partial"); return broken }
	read := func(t *testing.T, path string) string {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	t.Run("Stdout", func(t *testing.T) {
		for _, path := range []string{"", "-"} {
			var b bytes.Buffer
			if err := writeOutput(path, "exp.db", &b, hello); err != nil || b.String() != "hello\n" {
				t.Errorf("writeOutput(%q) = %v, stdout %q; want hello on stdout", path, err, b.String())
			}
		}
	})
	t.Run("FailureLeavesNothing", func(t *testing.T) {
		dir := t.TempDir()
		if err := writeOutput(filepath.Join(dir, "new.csv"), "exp.db", nil, failing); err != broken {
			t.Errorf("writeOutput = %v, want the write's error", err)
		}
		kept := writeFile(t, dir, "kept.csv", "old\n")
		if err := writeOutput(kept, "exp.db", nil, failing); err != broken {
			t.Errorf("writeOutput = %v, want the write's error", err)
		}
		if names := listDir(t, dir); !slices.Equal(names, []string{"kept.csv"}) || read(t, kept) != "old\n" {
			t.Errorf("after failed writes the directory holds %q, kept.csv %q; want kept.csv as it was", names, read(t, kept))
		}
	})
	t.Run("ReplacesKeepingMode", func(t *testing.T) {
		dir := t.TempDir()
		path := writeFile(t, dir, "out.csv", "old contents, longer than the new\n")
		if err := os.Chmod(path, 0o640); err != nil {
			t.Fatal(err)
		}
		if err := writeOutput(path, "exp.db", nil, hello); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil || read(t, path) != "hello\n" || st.Mode().Perm() != 0o640 {
			t.Errorf("out.csv: %q, mode %v (%v); want hello, 0640", read(t, path), st.Mode().Perm(), err)
		}
	})
	t.Run("FollowsSymlink", func(t *testing.T) {
		dir := t.TempDir()
		target := writeFile(t, dir, "target.csv", "old\n")
		link := filepath.Join(dir, "link.csv")
		if err := os.Symlink("target.csv", link); err != nil {
			t.Fatal(err)
		}
		if err := writeOutput(link, "exp.db", nil, hello); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 || read(t, target) != "hello\n" {
			t.Errorf("link.csv is no longer a link, or target.csv holds %q; want the link kept and the target replaced", read(t, target))
		}
	})
	t.Run("Device", func(t *testing.T) {
		if err := writeOutput(os.DevNull, "exp.db", nil, hello); err != nil {
			t.Errorf("writeOutput(%s) = %v", os.DevNull, err)
		}
		if st, err := os.Stat(os.DevNull); err != nil || st.Mode().IsRegular() {
			t.Errorf("%s was replaced by a file", os.DevNull)
		}
	})
}
