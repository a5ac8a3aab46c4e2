package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCheckPath: every path that cannot hold an exp database is refused,
// naming the file and what is allowed, before SQLite opens anything.
func TestCheckPath(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file.db")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	protected := filepath.Join(dir, "protected.db")
	if err := os.WriteFile(protected, nil, 0o444); err != nil {
		t.Fatal(err)
	}
	roDir := filepath.Join(dir, "ro")
	if err := os.Mkdir(roDir, 0o555); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.db")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		path  string
		write bool
		want  string // the error; "" for none
	}{
		{"Empty", "", true, "cannot open database file: the database path is empty (give a file name such as exp.db)"},
		{"Memory", ":memory:", false, ":memory:: cannot open database file: it is SQLite's in-memory database, which keeps nothing (give a file name such as exp.db)"},
		{"Directory", dir, false, dir + ": cannot open database file: it is a directory (give a file name such as " + filepath.Join(dir, "exp.db") + ")"},
		{"DevNull", "/dev/null", true, "/dev/null: cannot open database file: it is a character device, not a regular file (give a file name such as exp.db)"},
		{"FIFO", fifo, false, fifo + ": cannot open database file: it is a named pipe, not a regular file (give a file name such as exp.db)"},
		{"MissingDirectory", filepath.Join(dir, "no", "x.db"), true,
			filepath.Join(dir, "no", "x.db") + ": cannot open database file: the directory " + filepath.Join(dir, "no") + " does not exist (create it first)"},
		{"MissingDirectoryRead", filepath.Join(dir, "no", "x.db"), false, ""},
		{"ParentIsAFile", filepath.Join(file, "x.db"), true, filepath.Join(file, "x.db") + ": cannot open database file: " + file + " is not a directory"},
		{"WriteProtected", protected, true,
			protected + ": cannot open database file: the file is write-protected (mode 0444), and exp writes its runs into it (make it writable, or pass --db another file)"},
		{"WriteProtectedRead", protected, false, ""},
		{"ReadOnlyDirectory", filepath.Join(roDir, "x.db"), true,
			filepath.Join(roDir, "x.db") + ": cannot open database file: its directory " + roDir + " is write-protected (mode 0555), and SQLite writes the database's -wal and -shm files beside it (pass --db a file in a writable directory)"},
		{"Regular", file, true, ""},
		{"New", filepath.Join(dir, "new.db"), true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkPath(tc.path, tc.write)
			if tc.want == "" {
				if err != nil {
					t.Errorf("checkPath(%q) = %v, want nil", tc.path, err)
				}
				return
			}
			if err == nil || err.Error() != tc.want || !errors.Is(err, ErrCannotOpen) || !errors.Is(err, ErrBadInput) {
				t.Errorf("checkPath(%q)\n got: %v\nwant: %s", tc.path, err, tc.want)
			}
		})
	}

	t.Run("NotWritableByThisUser", func(t *testing.T) {
		// Tests run as root, for whom access(2) allows every write; this
		// is what another user sees for a file of mode 0644 owned by root.
		old := accessW
		accessW = func(string) error { return syscall.EACCES }
		defer func() { accessW = old }()
		want := file + ": cannot open database file: the file is not writable by this user (mode 0644: permission denied), and exp writes its runs into it (make it writable, or pass --db another file)"
		if err := checkPath(file, true); err == nil || err.Error() != want {
			t.Errorf("checkPath = %v\nwant %s", err, want)
		}
	})

	t.Run("OpenLeavesNothingBehind", func(t *testing.T) {
		ctx := context.Background()
		for _, path := range []string{":memory:", "/dev/null", fifo, protected, filepath.Join(roDir, "x.db"), filepath.Join(dir, "no", "x.db")} {
			if db, err := Open(ctx, path); !errors.Is(err, ErrCannotOpen) {
				if err == nil {
					db.Close()
				}
				t.Errorf("Open(%s) = %v, want ErrCannotOpen", path, err)
			}
		}
		for _, name := range []string{"protected.db-wal", "protected.db-shm", ":memory:", "no"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				t.Errorf("Open left %s behind", name)
			}
		}
		if entries, _ := os.ReadDir(roDir); len(entries) != 0 {
			t.Errorf("Open wrote into the read-only directory: %v", entries)
		}
	})
}

// TestParseTime: times are read back from any RFC 3339 form, as UTC.
func TestParseTime(t *testing.T) {
	want := time.Date(2026, 11, 27, 7, 10, 50, 0, time.UTC)
	for _, s := range []string{
		"2026-11-27T07:10:50.000000Z", // exp's own layout
		"2026-11-27T07:10:50Z",
		"2026-11-27T08:10:50+01:00",
		"2026-11-27T02:10:50-05:00",
		"2026-11-27t07:10:50z",
		"2026-11-27 07:10:50Z",
		"2026-11-27T07:10:50.0Z",
	} {
		got, err := parseTime("started_at", s)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("parseTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if got, err := parseTime("started_at", "2026-11-27T07:10:50.123456789Z"); err != nil || got.Nanosecond() != 123456789 {
		t.Errorf("nanoseconds: %v, %v", got, err)
	}
	for _, s := range []string{"", "yesterday", "2026-11-27", "2026-11-27T07:10:50", "1700000000"} {
		_, err := parseTime("started_at", s)
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "started_at") {
			t.Errorf("parseTime(%q) = %v, want ErrCorrupt naming the column", s, err)
		}
	}
}
