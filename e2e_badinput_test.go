package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// checkOneLine fails unless r exited with code and wrote one line to
// stderr (and no panic or goroutine dump) containing each of wants.
func checkOneLine(t *testing.T, r result, code int, wants ...string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit %d, want %d\n%s", r.code, code, r.stderr)
	}
	if strings.Count(r.stderr, "\n") != 1 || !strings.HasSuffix(r.stderr, "\n") {
		t.Errorf("stderr is not one line: %q", r.stderr)
	}
	if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
		t.Errorf("stderr shows a panic or a stack trace: %q", r.stderr)
	}
	for _, w := range wants {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr %q lacks %q", r.stderr, w)
		}
	}
}

// listDir returns the names in dir.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestBadExperimentFiles runs exp run on every file in
// experiment/testdata/bad: each must print exactly the line in the .want
// file beside it, exit 2, and neither create a database nor change one.
func TestBadExperimentFiles(t *testing.T) {
	bad, err := filepath.Abs(filepath.Join("experiment", "testdata", "bad"))
	if err != nil {
		t.Fatal(err)
	}
	paths, err := filepath.Glob(filepath.Join(bad, "*.yaml"))
	if err != nil || len(paths) < 40 {
		t.Fatalf("%d bad files (%v), want at least 40", len(paths), err)
	}
	inBad := listDir(t, bad)
	dbDir := t.TempDir()
	writeFile(t, dbDir, "good.yaml", smallYAML)
	if r := exp(t, dbDir, nil, "run", "good.yaml", "--db", "existing.db", "-q"); r.code != 0 {
		t.Fatalf("setup run: exit %d\n%s", r.code, r.stderr)
	}
	existing := filepath.Join(dbDir, "existing.db")
	before := fileSum(t, existing)
	t.Run("Files", func(t *testing.T) {
		for _, path := range paths {
			name := filepath.Base(path)
			t.Run(strings.TrimSuffix(name, ".yaml"), func(t *testing.T) {
				t.Parallel()
				want, err := os.ReadFile(strings.TrimSuffix(path, ".yaml") + ".want")
				if err != nil {
					t.Fatal(err)
				}
				fresh := filepath.Join(t.TempDir(), "new.db")
				for _, db := range []string{fresh, existing} {
					r := exp(t, bad, nil, "run", name, "--db", db)
					checkOneLine(t, r, 2)
					if r.stderr != "exp: "+string(want) {
						t.Errorf("exp run %s --db %s\n got: %s\nwant: exp: %s", name, filepath.Base(db), r.stderr, want)
					}
				}
				if _, err := os.Stat(fresh); err == nil {
					t.Error("a bad file created the database")
				}
			})
		}
	})
	if fileSum(t, existing) != before {
		t.Error("a bad file changed an existing database")
	}
	if got := listDir(t, dbDir); !slices.Equal(got, []string{"existing.db", "good.yaml"}) {
		t.Errorf("the database's directory holds %v", got)
	}
	if got := listDir(t, bad); !slices.Equal(got, inBad) {
		t.Errorf("testdata/bad now holds %v", got)
	}
}

// TestBadDatabases gives exp run and exp report databases that exp cannot
// use: each is one line naming the file, exit status 2, and the file's
// bytes (SHA-256) and its directory's listing are unchanged.
func TestBadDatabases(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "good.yaml", smallYAML)
	good := filepath.Join(dir, "good.db")
	if r := exp(t, dir, nil, "run", "good.yaml", "--db", good, "-q"); r.code != 0 {
		t.Fatalf("setup run: exit %d\n%s", r.code, r.stderr)
	}
	valid, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	// Each case is made in a directory of its own, so that any file exp
	// leaves beside the database shows.
	sqlExec := func(t *testing.T, path string, stmts ...string) {
		db, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, s := range stmts {
			if _, err := db.Exec(s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
	}
	write := func(body []byte, mode os.FileMode) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			if err := os.WriteFile(path, body, mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		name      string
		file      string                          // the --db value, relative to the case's directory
		setup     func(t *testing.T, path string) // nil: nothing to make
		runWant   string                          // what exp run says after the file name
		report    int                             // exit status of exp report
		reportSay string                          // what exp report says after the file name
	}{
		{"Directory", "dir.db", func(t *testing.T, path string) { os.Mkdir(path, 0o755) },
			": cannot open database file: it is a directory", 2, ": cannot open database file: it is a directory"},
		{"NotSQLite", "notes.db", write([]byte("name: this is YAML, not a database\n"), 0o644),
			": not an exp database: the file is not SQLite", 2, ": not an exp database: the file is not SQLite"},
		{"Truncated", "cut.db", write(valid[:len(valid)/2], 0o644),
			": damaged database file: ", 2, ": damaged database file: "},
		{"ZeroBytes", "empty.db", write(nil, 0o644),
			": not an exp database: the file is empty", 2, ": not an exp database: the file is empty"},
		{"AnotherProgram", "photos.db", func(t *testing.T, path string) {
			sqlExec(t, path, `CREATE TABLE photos (id INTEGER PRIMARY KEY, taken TEXT)`, `INSERT INTO photos (taken) VALUES ('2026-01-01')`)
		}, ": not an exp database: it holds tables exp did not create", 2, ": not an exp database: it holds tables exp did not create"},
		{"NewerExp", "newer.db", func(t *testing.T, path string) {
			write(valid, 0o644)(t, path)
			sqlExec(t, path, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, '0099_future.sql', '2030-01-01T00:00:00Z')`,
				`PRAGMA wal_checkpoint(TRUNCATE)`)
		}, ": database schema is newer than this exp (file has version 99", 2, ": database schema is newer than this exp (file has version 99"},
		{"MissingDirectory", filepath.Join("no", "such", "x.db"), nil,
			": cannot open database file: the directory " + filepath.Join("no", "such") + " does not exist", 2, ": no database"},
		// Reading a write-protected database is what exp report is for
		// (README: the database); exp run must refuse to write to it.
		{"ReadOnly", "protected.db", write(valid, 0o444),
			": cannot open database file: the file is write-protected (mode 0444)", 0, ""},
		{"Memory", ":memory:", nil, ": cannot open database file: it is SQLite's in-memory database, which keeps nothing", 2,
			": cannot open database file: it is SQLite's in-memory database, which keeps nothing"},
		{"DevNull", "/dev/null", nil, ": cannot open database file: it is a character device, not a regular file", 2,
			": cannot open database file: it is a character device, not a regular file"},
		{"NamedPipe", "pipe.db", func(t *testing.T, path string) {
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Fatal(err)
			}
		}, ": cannot open database file: it is a named pipe, not a regular file", 2, ": cannot open database file: it is a named pipe, not a regular file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			caseDir := t.TempDir()
			writeFile(t, caseDir, "good.yaml", smallYAML)
			path := tc.file
			if !filepath.IsAbs(path) && path != ":memory:" {
				path = filepath.Join(caseDir, tc.file)
			}
			if tc.setup != nil {
				tc.setup(t, path)
			}
			sum := func() [32]byte {
				if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
					return fileSum(t, path)
				}
				return [32]byte{}
			}
			before, names := sum(), listDir(t, caseDir)
			r := exp(t, caseDir, nil, "run", "good.yaml", "--db", tc.file, "-q")
			checkOneLine(t, r, 2, "exp: "+tc.file+tc.runWant)
			r = exp(t, caseDir, nil, "report", "--db", tc.file)
			if tc.report == 0 {
				if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, `"small"  done`) {
					t.Errorf("exp report: exit %d, want 0 and the run\n%s%s", r.code, r.stdout, r.stderr)
				}
			} else {
				checkOneLine(t, r, tc.report, "exp: "+tc.file+tc.reportSay)
			}
			if sum() != before {
				t.Error("the file's bytes changed")
			}
			if got := listDir(t, caseDir); !slices.Equal(got, names) {
				t.Errorf("the directory held %v, now %v", names, got)
			}
		})
	}

	t.Run("FromEnvironmentAndFile", func(t *testing.T) {
		caseDir := t.TempDir()
		writeFile(t, caseDir, "memory.yaml", smallYAML+"database: \":memory:\"\n")
		writeFile(t, caseDir, "good.yaml", smallYAML)
		checkOneLine(t, exp(t, caseDir, nil, "run", "memory.yaml", "-q"), 2, "exp: :memory:: cannot open database file")
		checkOneLine(t, exp(t, caseDir, []string{"EXP_DB=:memory:"}, "run", "good.yaml", "-q"), 2, "exp: :memory:: cannot open database file")
		checkOneLine(t, exp(t, caseDir, []string{"EXP_DB=/dev/null"}, "report"), 2, "exp: /dev/null: cannot open database file")
		if got := listDir(t, caseDir); !slices.Equal(got, []string{"good.yaml", "memory.yaml"}) {
			t.Errorf("the directory holds %v", got)
		}
	})
}

// TestSmallBadInputs: EXP_DB="" is refused like --db "", exp help help is
// help, and a runtime failure is one line that names the database.
func TestSmallBadInputs(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "good.yaml", smallYAML)
	t.Run("EmptyEXP_DB", func(t *testing.T) {
		for _, args := range [][]string{{"run", "good.yaml"}, {"report"}, {"runs"}, {"show"}} {
			checkOneLine(t, exp(t, dir, []string{"EXP_DB="}, args...), 2, "exp: EXP_DB is set but empty (unset it, or set it to a database file such as exp.db)")
		}
		if _, err := os.Stat(filepath.Join(dir, "exp.db")); err == nil {
			t.Error("EXP_DB=\"\" fell back to exp.db")
		}
	})
	t.Run("HelpHelp", func(t *testing.T) {
		for _, args := range [][]string{{"help", "help"}, {"help", "h"}} {
			if r := exp(t, dir, nil, args...); r.code != 0 || !strings.Contains(r.stdout, "help") || r.stderr != "" {
				t.Errorf("exp %v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
			}
		}
	})
	t.Run("TimesInAnyRFC3339Form", func(t *testing.T) {
		// As another tool might write them: second precision, offsets.
		db := filepath.Join(dir, "edited.db")
		if r := exp(t, dir, nil, "run", "good.yaml", "--db", db, "-q"); r.code != 0 {
			t.Fatalf("setup run: exit %d\n%s", r.code, r.stderr)
		}
		execSQL(t, db, `UPDATE trials SET started_at = substr(started_at, 1, 19) || '+00:00'`)
		execSQL(t, db, `UPDATE runs SET started_at = '2026-11-27T08:10:50+01:00', finished_at = '2026-11-27 07:11:05Z'`)
		if r := exp(t, dir, nil, "report", "--db", db); r.code != 0 || !strings.Contains(r.stdout, "started 2026-11-27T07:10:50Z") {
			t.Errorf("report of edited times: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if r := exp(t, dir, nil, "show", "--db", db); r.code != 0 || !strings.Contains(r.stdout, "duration:       15s") {
			t.Errorf("show of edited times: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("RuntimeErrorNamesTheDatabase", func(t *testing.T) {
		// Triggers make every write of a trial and of the run's end fail:
		// two errors, joined, on one line, with the file's path.
		db := filepath.Join(dir, "broken.db")
		if r := exp(t, dir, nil, "run", "good.yaml", "--db", db, "-q"); r.code != 0 {
			t.Fatalf("setup run: exit %d\n%s", r.code, r.stderr)
		}
		sqlDB, err := sql.Open("sqlite", "file:"+db)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{
			`CREATE TRIGGER no_trials BEFORE INSERT ON trials BEGIN SELECT RAISE(ABORT, 'disk quota exceeded'); END`,
			`CREATE TRIGGER no_finish BEFORE UPDATE OF status ON runs BEGIN SELECT RAISE(ABORT, 'disk quota exceeded'); END`,
		} {
			if _, err := sqlDB.Exec(s); err != nil {
				t.Fatal(err)
			}
		}
		sqlDB.Close()
		r := exp(t, dir, nil, "run", "good.yaml", "--db", db, "-q")
		checkOneLine(t, r, 1, "exp: save trial 0: "+db+": ", "disk quota exceeded", "; "+db+": finish run 2: ")
	})
}
