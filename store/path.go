package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// accessW reports, as access(2) does, whether this process may write to
// path; a variable so that tests, which run as root, can see a refusal.
var accessW = func(path string) error { return unix.Access(path, unix.W_OK) }

// checkPath returns an error wrapping ErrCannotOpen, naming path, unless
// path can hold an exp database: it is not SQLite's ":memory:" (which
// would keep nothing) and, if it exists, it is a regular file, not a
// directory, device, named pipe or socket. With write set, a missing
// file's directory must exist, and the file, if it exists, and its
// directory must be writable, so that a read-only file is refused before
// SQLite opens it (which would leave -wal and -shm files behind). A file
// or directory without any write permission bit counts as write-protected
// even for root, who could write it anyway.
func checkPath(path string, write bool) error {
	switch path {
	case "":
		return fmt.Errorf("%w: the database path is empty (give a file name such as exp.db)", ErrCannotOpen)
	case ":memory:":
		return fmt.Errorf("%s: %w: it is SQLite's in-memory database, which keeps nothing (give a file name such as exp.db)", path, ErrCannotOpen)
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		if write {
			return checkDir(path)
		}
		return nil // OpenExisting says ErrNoDatabase
	case err != nil:
		return fmt.Errorf("%s: %w: %v", path, ErrCannotOpen, err)
	case st.IsDir():
		return fmt.Errorf("%s: %w: it is a directory (give a file name such as %s)", path, ErrCannotOpen, filepath.Join(path, "exp.db"))
	case !st.Mode().IsRegular():
		return fmt.Errorf("%s: %w: it is %s, not a regular file (give a file name such as exp.db)", path, ErrCannotOpen, fileKind(st.Mode()))
	}
	if !write {
		return nil
	}
	if why := notWritable(path, st); why != "" {
		return fmt.Errorf("%s: %w: the file %s, and exp writes its runs into it (make it writable, or pass --db another file)", path, ErrCannotOpen, why)
	}
	return checkDir(path)
}

// checkDir checks that the directory of path exists and is writable:
// SQLite creates the database, its -wal and its -shm files there.
func checkDir(path string) error {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: %w: the directory %s does not exist (create it first)", path, ErrCannotOpen, dir)
	case err != nil:
		return fmt.Errorf("%s: %w: %v", path, ErrCannotOpen, err)
	case !st.IsDir():
		return fmt.Errorf("%s: %w: %s is not a directory", path, ErrCannotOpen, dir)
	}
	if why := notWritable(dir, st); why != "" {
		return fmt.Errorf("%s: %w: its directory %s %s, and SQLite writes the database's -wal and -shm files beside it (pass --db a file in a writable directory)",
			path, ErrCannotOpen, dir, why)
	}
	return nil
}

// notWritable says why path, described by st, may not be written, or ""
// if it may.
func notWritable(path string, st fs.FileInfo) string {
	if st.Mode().Perm()&0o222 == 0 {
		return fmt.Sprintf("is write-protected (mode %04o)", st.Mode().Perm())
	}
	if err := accessW(path); err != nil {
		return fmt.Sprintf("is not writable by this user (mode %04o: %v)", st.Mode().Perm(), err)
	}
	return ""
}

// fileKind names the kind of a file that is not regular.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "a special file"
}
