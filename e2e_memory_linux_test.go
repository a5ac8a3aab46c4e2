//go:build linux

package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// maxRSS is the most memory exp may take to refuse any file, in bytes.
const maxRSS = 100 << 20

// TestHostileFilesMemory runs exp run on hostile experiment files and
// checks that each is refused with one line, exit status 2, and a peak
// resident set under 100 MB: the child's own VmHWM (written by exp at exit
// when $EXP_PEAK_RSS_FILE is set), and getrusage's ru_maxrss of the child,
// which is at least that but may be this test process's own figure
// instead (see writePeakRSS), so it is only logged. Before the limits,
// the 60 KB file took 1.4 GB and the 2 MB one 24 GB.
func TestHostileFilesMemory(t *testing.T) {
	dir := t.TempDir()
	// Files are written as they are generated, so that this process stays
	// small.
	gen := func(name string, size int, write func(b *bufio.Writer)) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		b := bufio.NewWriter(f)
		for {
			flushed, err := f.Seek(0, io.SeekCurrent)
			if err != nil {
				t.Fatal(err)
			}
			if int(flushed)+b.Buffered() >= size {
				break
			}
			write(b)
		}
		if err := b.Flush(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	gen("nested.yaml", 60_000, func(b *bufio.Writer) { b.WriteString("[[[[[[[[[[") })
	gen("nested-mappings.yaml", 60_000, func(b *bufio.Writer) { b.WriteString("{a: ") })
	gen("nested-dashes.yaml", 60_000, func(b *bufio.Writer) { b.WriteString("- ") })
	gen("nested-tags.yaml", 60_000, func(b *bufio.Writer) { b.WriteString("- !t\n") })
	gen("two-mb.yaml", 2<<20, func(b *bufio.Writer) { b.WriteString("name: x\n") })
	n := 0
	gen("fifty-mb-ranges.yaml", 50<<20, func(b *bufio.Writer) {
		if n == 0 {
			b.WriteString("name: x\nworkers: [1]\nranges:\n")
		}
		fmt.Fprintf(b, "  - {start: %d, count: 1}\n", n)
		n++
	})
	n = 0
	gen("ranges-10001.yaml", 1, func(b *bufio.Writer) {
		b.WriteString("name: x\nworkers: [1]\nranges:\n")
		for i := range 10_001 {
			fmt.Fprintf(b, "  - {start: %d, count: 1}\n", i)
		}
	})
	// The most the limits let through to the parser: 7 lists of 10,000
	// entries under keys exp refuses only after parsing.
	gen("largest-parsed.yaml", 1, func(b *bufio.Writer) {
		b.WriteString("name: x\n")
		for k := range 7 {
			fmt.Fprintf(b, "junk%d: [%s]\n", k, strings.TrimSuffix(strings.Repeat("1,", 10_000), ","))
		}
	})
	gen("tokens.yaml", 1, func(b *bufio.Writer) { b.WriteString("name: x\nx: " + strings.Repeat("[1]", 100_000) + "\n") })

	var self syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &self); err == nil {
		t.Logf("this test's own peak RSS: %.1f MB", float64(self.Maxrss<<10)/(1<<20))
	}
	for _, tc := range []struct{ file, want string }{
		{"nested.yaml", "nested.yaml:1:65: lists and mappings nest more than 64 deep"},
		{"nested-mappings.yaml", "nested-mappings.yaml:1:257: lists and mappings nest more than 64 deep"},
		{"nested-dashes.yaml", "nested-dashes.yaml:1:129: lists and mappings nest more than 64 deep"},
		{"nested-tags.yaml", "nested-tags.yaml:65:1: lists and mappings nest more than 64 deep"},
		{"two-mb.yaml", "two-mb.yaml: the file is 2097152 bytes (at most 1048576 bytes, 1 MiB, are read"},
		{"fifty-mb-ranges.yaml", "fifty-mb-ranges.yaml: the file is 524288"},
		{"ranges-10001.yaml", "ranges-10001.yaml:10004:3: ranges: more than 10000 ranges (at most 10000 are allowed)"},
		{"largest-parsed.yaml", "largest-parsed.yaml:2:1: junk0: unknown field"},
		{"tokens.yaml", "tokens.yaml:2:149997: the file has more than 150000 YAML tokens"},
	} {
		t.Run(strings.TrimSuffix(tc.file, ".yaml"), func(t *testing.T) {
			cmd := exec.Command(expBin, "run", tc.file, "--db", filepath.Join(dir, "x.db"))
			cmd.Dir = dir
			peakFile := filepath.Join(dir, "peak")
			cmd.Env = append(baseEnv(), "EXP_PEAK_RSS_FILE="+peakFile)
			var errb bytes.Buffer
			cmd.Stderr = &errb
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 2 {
				t.Errorf("exit = %v, want 2\n%s", err, errb.String())
			}
			checkOneLine(t, result{code: 2, stderr: errb.String()}, 2, "exp: "+tc.want)
			var kb int64
			if b, err := os.ReadFile(peakFile); err != nil || len(b) == 0 {
				t.Fatalf("exp wrote no peak RSS: %v", err)
			} else if _, err := fmt.Sscanf(string(b), "%d kB", &kb); err != nil {
				t.Fatalf("peak RSS %q: %v", b, err)
			}
			rss := kb << 10
			var maxrss int64
			if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
				maxrss = ru.Maxrss << 10 // kilobytes on Linux
			}
			t.Logf("%s: peak RSS %.1f MB (ru_maxrss %.1f MB)", tc.file, float64(rss)/(1<<20), float64(maxrss)/(1<<20))
			if rss > maxRSS || rss <= 0 {
				t.Errorf("peak RSS %.1f MB, want under %d MB", float64(rss)/(1<<20), maxRSS>>20)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "x.db")); err == nil {
		t.Error("a hostile file created the database")
	}
}
