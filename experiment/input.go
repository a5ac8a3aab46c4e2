package experiment

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ErrInputChanged marks a warning that an input of kernel command differs
// from the one an earlier run read (exp reproduce, exp compare).
var ErrInputChanged = errors.New("input changed")

// InputFile is one input of kernel command as exp read it before a run.
type InputFile struct {
	Path   string // as written in the file's inputs, relative to the command's directory
	Size   int64  // bytes
	SHA256 string // hex SHA-256 of the content
}

// ReadInputs checks that a command can run before any trial does: its
// directory exists, a program named without a slash is on PATH, and each
// input is a readable file, whose size and SHA-256 it records in
// p.Inputs (by input index), so that a later run can tell the data
// changed. It does nothing for other kernels.
func (p *Plan) ReadInputs() error {
	m := p.Config.Command
	if m == nil || p.Config.Kernel != "command" {
		return nil
	}
	if st, err := os.Stat(m.Dir); err != nil || !st.IsDir() {
		return fmt.Errorf("%w: workdir %s is not a directory (%v)", ErrStart, m.Dir, err)
	}
	if prog := m.Argv[0]; !strings.Contains(prog, "/") && !strings.ContainsAny(prog, "{}") {
		if _, err := exec.LookPath(prog); err != nil {
			return fmt.Errorf("%w: %w", ErrStart, err)
		}
	}
	p.Inputs = make([]InputFile, len(m.Inputs))
	for i, in := range m.Inputs {
		f, err := HashFile(m.Dir, in)
		if err != nil {
			// A missing or unreadable input is bad input (exit 2), like the file naming it.
			return fmt.Errorf("%w: inputs[%d]: %w", ErrConfig, i, err)
		}
		p.Inputs[i] = f
	}
	return nil
}

// HashFile reads the file at path, relative to dir unless absolute, and
// returns its size and SHA-256. It must be a regular file: a FIFO would
// block and a device could be endless.
func HashFile(dir, path string) (InputFile, error) {
	full := path
	if !filepath.IsAbs(path) {
		full = filepath.Join(dir, path)
	}
	if st, err := os.Stat(full); err != nil {
		return InputFile{}, fmt.Errorf("input: %w", err)
	} else if !st.Mode().IsRegular() {
		return InputFile{}, fmt.Errorf("input %s is not a regular file (%s): exp hashes every input before the run", full, st.Mode().Type())
	}
	f, err := os.Open(full)
	if err != nil {
		return InputFile{}, fmt.Errorf("input: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return InputFile{}, fmt.Errorf("input %s: %w", full, err)
	}
	return InputFile{Path: path, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}
