package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// output is where a command writes its data: standard output, or a file
// replaced atomically, so that a reader (a browser, a web server) sees the
// old file or the whole new one, never half of it, and a failed command
// leaves the old file as it was.
type output struct {
	io.Writer
	tmp  *os.File // the temporary file beside path; nil for standard output
	path string   // the file the output replaces on Commit
	mode fs.FileMode
}

// openOutput opens --output: stdout for "" or "-"; otherwise a temporary
// file in path's directory, which Commit renames to path. A path that is
// a directory, or whose directory is missing or not writable, is a usage
// error (exit status 2), found before any work is done.
func openOutput(stdout io.Writer, path string) (*output, error) {
	if path == "" || path == "-" {
		return &output{Writer: stdout}, nil
	}
	mode := fs.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		if st.IsDir() {
			return nil, usagef("--output %s is a directory (must be a file name)", path)
		}
		mode = st.Mode().Perm() // keep the permissions of the file replaced
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // "no such file or directory", "permission denied"
		}
		return nil, usageError{fmt.Errorf("--output %s: cannot create a file in its directory: %w", path, err)}
	}
	return &output{Writer: tmp, tmp: tmp, path: path, mode: mode}, nil
}

// Commit makes the output visible: it flushes the temporary file to disk
// and renames it over path. For standard output it does nothing.
func (o *output) Commit() error {
	if o.tmp == nil {
		return nil
	}
	tmp := o.tmp
	o.tmp = nil
	err := tmp.Chmod(o.mode)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), o.path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", o.path, err)
	}
	return nil
}

// Abort removes the temporary file unless Commit renamed it; path is left
// as it was.
func (o *output) Abort() {
	if o.tmp == nil {
		return
	}
	o.tmp.Close()
	os.Remove(o.tmp.Name())
	o.tmp = nil
}
