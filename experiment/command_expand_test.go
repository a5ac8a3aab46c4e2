package experiment

import (
	"strings"
	"syscall"
	"testing"
)

// TestExpand: {workers} and {input} are substituted wherever they are,
// and a shell's ${workers} and ${input} are left alone, as the README says.
func TestExpand(t *testing.T) {
	for in, want := range map[string]string{
		"-T{workers}":               "-T4",
		"{input}.xz":                "a.bin.xz",
		"echo ${workers} {workers}": "echo ${workers} 4",
		"${input}/{input}":          "${input}/a.bin",
		"{workers}{workers}":        "44",
		"plain":                     "plain",
		"$ {workers}":               "$ 4",
		"{{workers}}":               "{4}",
	} {
		if got := Expand(in, 4, "a.bin"); got != want {
			t.Errorf("Expand(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestHashFileRegularOnly: a directory or a FIFO as an input is refused at
// once, rather than read (a FIFO would block).
func TestHashFileRegularOnly(t *testing.T) {
	dir := t.TempDir()
	fifo := dir + "/fifo"
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
	for _, p := range []string{dir, fifo} {
		if _, err := HashFile(dir, p); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("HashFile(%s) = %v, want not a regular file", p, err)
		}
	}
}
