package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// writeOutput runs write on stdout if path is empty or "-", else on the
// file at path, which it replaces only once write has succeeded: write
// goes to a temporary file beside it, renamed over it at the end, so that
// a failed or interrupted write leaves no partial file and an existing one
// as it was. A symbolic link is followed, and the file it names replaced;
// a device or pipe (/dev/stdout, a FIFO) is written to directly. A new
// file gets the mode os.Create would give it, an existing one keeps its
// mode. A path that is a directory, or the database itself (dbPath), or
// in a directory where no file can be created, is a usage error.
func writeOutput(path, dbPath string, stdout io.Writer, write func(io.Writer) error) (err error) {
	if path == "" || path == "-" {
		return write(stdout)
	}
	target := path
	perm, exists := fs.FileMode(0o666), false // for a new file, less the umask, as os.Create
	if st, err := os.Stat(path); err == nil {
		if db, err := os.Stat(dbPath); err == nil && os.SameFile(st, db) {
			return usagef("--output %s is the database being read (give another file)", path)
		}
		switch {
		case st.IsDir():
			return usagef("--output %s is a directory (give a file name)", path)
		case !st.Mode().IsRegular():
			return writeTo(path, write)
		}
		if target, err = filepath.EvalSymlinks(path); err != nil {
			return usagef("--output %s: %v", path, err)
		}
		perm, exists = st.Mode().Perm(), true
	}
	f, err := createTemp(target, perm)
	if err != nil {
		return usagef("--output %s: cannot create a file in %s: %v", path, filepath.Dir(target), unwrapPath(err))
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if exists {
		if err := f.Chmod(perm); err != nil { // the umask took bits of the existing file's mode
			return fmt.Errorf("--output %s: %w", path, err)
		}
	}
	if err := write(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("--output %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--output %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), target); err != nil {
		return fmt.Errorf("--output %s: %w", path, err)
	}
	return nil
}

// writeTo runs write on the device or pipe at path, opened for writing.
func writeTo(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return usagef("--output %s: %v", path, unwrapPath(err))
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--output %s: %w", path, err)
	}
	return nil
}

// createTemp creates a new, empty file beside target, named
// .BASE.RANDOM.tmp, with mode perm less the umask.
func createTemp(target string, perm fs.FileMode) (*os.File, error) {
	dir, base := filepath.Split(target)
	for tries := 0; ; {
		var b [6]byte
		rand.Read(b[:])
		name := filepath.Join(dir, "."+base+"."+hex.EncodeToString(b[:])+".tmp")
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
		// 48 random bits: taken names repeat only when a file system
		// answers ErrExist for every name, which the caller must hear of.
		if tries++; tries == 10 {
			return nil, err
		}
	}
}

// unwrapPath returns the cause of a *fs.PathError, whose message repeats
// the (temporary) file's name, or err itself.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
