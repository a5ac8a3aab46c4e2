package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestOpen(t *testing.T) {
	ctx := context.Background()

	t.Run("CreatesFileAndMigrates", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "exp.db")
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if !exists(t, path) {
			t.Fatalf("%s not created", path)
		}
		if db.Path() != path {
			t.Errorf("Path() = %q, want %q", db.Path(), path)
		}
		if v, err := db.SchemaVersion(ctx); err != nil || v != currentVersion {
			t.Errorf("SchemaVersion = %d, %v; want %d, nil", v, err, currentVersion)
		}
		rows, err := db.SQL().Query(`SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var version int
			var name, applied string
			if err := rows.Scan(&version, &name, &applied); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%d %s", version, name))
			if _, err := parseTime("applied_at", applied); err != nil {
				t.Errorf("applied_at %q: %v", applied, err)
			}
		}
		rows.Close()
		if want := []string{"1 0001_init.sql", "2 0002_scaling.sql", "3 0003_reproduces.sql", "4 0004_invocations.sql", "5 0005_limits.sql", "6 0006_views.sql", "7 0007_command.sql", "8 0008_shards.sql", "9 0009_hooks.sql", "10 0010_process_invocations.sql"}; !slices.Equal(got, want) {
			t.Errorf("schema_migrations = %q, want %q", got, want)
		}
		for _, obj := range []struct{ typ, name string }{
			{"table", "runs"}, {"table", "cells"}, {"table", "trials"}, {"table", "trial_workers"},
			{"table", "schema_migrations"}, {"view", "trial_facts"}, {"index", "trials_cell"}, {"index", "runs_reproduces"},
		} {
			if n := queryInt(t, db.SQL(), `SELECT count(*) FROM sqlite_schema WHERE type = ? AND name = ?`, obj.typ, obj.name); n != 1 {
				t.Errorf("%s %s: found %d", obj.typ, obj.name, n)
			}
		}
	})

	t.Run("ReopenIsNoOp", func(t *testing.T) {
		db, path := openTestDB(t)
		p := testPlan(t)
		run := testRun(t, p, fullHost(), t0)
		rec := createTestRun(t, db, p, &run, nil)
		if err := rec.AddTrial(ctx, makeTrial(p, p.Steps[0], 0)); err != nil {
			t.Fatal(err)
		}
		db.Close()
		for i := range 2 {
			db2, err := Open(ctx, path)
			if err != nil {
				t.Fatalf("reopen %d: %v", i, err)
			}
			if v, err := db2.SchemaVersion(ctx); err != nil || v != currentVersion {
				t.Errorf("reopen %d: SchemaVersion = %d, %v; want %d, nil", i, v, err, currentVersion)
			}
			if n := queryInt(t, db2.SQL(), `SELECT count(*) FROM schema_migrations`); int(n) != migrationCount(t) {
				t.Errorf("reopen %d: %d schema_migrations rows, want %d", i, n, migrationCount(t))
			}
			runs, err := db2.ListRuns(ctx)
			if err != nil || len(runs) != 1 || runs[0].UUID != run.UUID || runs[0].Trials != 1 {
				t.Errorf("reopen %d: ListRuns = %+v, %v; want the one run with 1 trial", i, runs, err)
			}
			db2.Close()
		}
	})

	t.Run("ErrEmptyFileIsRefused", func(t *testing.T) {
		// An empty file is no database exp made: exp creates new files
		// whole (createNew), so it is not one another exp is creating.
		dir := t.TempDir()
		path := filepath.Join(dir, "exp.db")
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		db, err := Open(ctx, path)
		if err == nil {
			db.Close()
		}
		if want := path + ": not an exp database: the file is empty (remove it, and exp run creates a new database there)"; err == nil || err.Error() != want {
			t.Errorf("Open(empty file) = %v, want %s", err, want)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("Open left %v", entries)
		}
		if st, err := os.Stat(path); err != nil || st.Size() != 0 {
			t.Error("Open changed the empty file")
		}
	})

	t.Run("MissingDirectoryFails", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "no", "such", "dir", "exp.db")
		db, err := Open(ctx, path)
		if err == nil {
			db.Close()
			t.Fatal("Open succeeded")
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("error %q does not name the path", err)
		}
	})
}

func TestOpenPragmas(t *testing.T) {
	db, _ := openTestDB(t)
	for _, tc := range []struct {
		pragma, want string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "10000"},
	} {
		t.Run(tc.pragma, func(t *testing.T) {
			var got string
			if err := db.SQL().QueryRow(`PRAGMA ` + tc.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("PRAGMA %s = %q, want %q", tc.pragma, got, tc.want)
			}
		})
	}
}

// TestSchemaConstraints checks that the tables are STRICT, foreign keys are
// enforced and deleting a run cascades. Each bad statement has a good twin
// that differs only in the value under test.
func TestSchemaConstraints(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	p := testPlan(t)
	run := testRun(t, p, fullHost(), t0)
	rec := createTestRun(t, db, p, &run, nil)
	cellID := rec.cellIDs[0]
	other := testRun(t, p, fullHost(), t0)
	other.UUID = "01890a5d-ac96-774b-bcce-b302099a8099"
	otherCell := createTestRun(t, db, p, &other, nil).cellIDs[0]
	insertTrial := `INSERT INTO trials (run_id, cell_id, seq, rep, warmup, started_at, wall_ns, user_ns, sys_ns, primes, checksum, ok)
		VALUES (?, ?, ?, 0, 0, '2025-01-01T00:00:00.000000Z', ?, 0, 0, 0, '', ?)`

	for _, tc := range []struct {
		name    string
		query   string
		args    []any
		wantErr string // "" for success
	}{
		{"IntegerWallNSAccepted", insertTrial, []any{run.ID, cellID, 100, 5, 1}, ""},
		{"ErrTextInIntegerColumn", insertTrial, []any{run.ID, cellID, 101, "fast", 1}, "cannot store TEXT value in INTEGER column trials.wall_ns"},
		{"ErrRealInIntegerColumn", insertTrial, []any{run.ID, cellID, 102, 1.5, 1}, "cannot store REAL value in INTEGER column trials.wall_ns"},
		{"ErrOKNotBoolean", insertTrial, []any{run.ID, cellID, 103, 5, 2}, "CHECK constraint failed"},
		{"ErrForeignKeyRun", insertTrial, []any{run.ID + 99, cellID, 104, 5, 1}, "FOREIGN KEY constraint failed"},
		{"ErrForeignKeyCell", insertTrial, []any{run.ID, cellID + 999, 105, 5, 1}, "FOREIGN KEY constraint failed"},
		{"ErrCellOfAnotherRun", insertTrial, []any{run.ID, otherCell, 106, 5, 1}, "FOREIGN KEY constraint failed"},
		{"ErrNegativeWall", insertTrial, []any{run.ID, cellID, 107, -5, 1}, "CHECK constraint failed"},
		{"ErrBadSchedule", `UPDATE cells SET schedule = 'dynamic' WHERE id = ?`, []any{cellID}, "CHECK constraint failed"},
		{"ErrZeroWorkers", `UPDATE cells SET workers = 0 WHERE id = ?`, []any{cellID}, "CHECK constraint failed"},
		{"ErrDuplicateSeq", insertTrial, []any{run.ID, cellID, 100, 5, 1}, "UNIQUE constraint failed"},
		{"ErrBadStatus", `UPDATE runs SET status = 'bogus' WHERE id = ?`, []any{run.ID}, "CHECK constraint failed"},
		{"WeakScalingAccepted", `UPDATE runs SET scaling = 'weak', cpu_bound = 0 WHERE id = ?`, []any{run.ID}, ""},
		{"ErrBadScaling", `UPDATE runs SET scaling = 'diagonal' WHERE id = ?`, []any{run.ID}, "CHECK constraint failed"},
		{"ErrCPUBoundNotBoolean", `UPDATE runs SET cpu_bound = 2 WHERE id = ?`, []any{run.ID}, "CHECK constraint failed"},
		{"ErrScalingNull", `UPDATE runs SET scaling = NULL WHERE id = ?`, []any{run.ID}, "NOT NULL constraint failed"},
		{"ReproducesUUIDAccepted", `UPDATE runs SET reproduces = ? WHERE id = ?`, []any{other.UUID, run.ID}, ""},
		{"ReproducesUpperCaseUUIDAccepted", `UPDATE runs SET reproduces = ? WHERE id = ?`, []any{strings.ToUpper(other.UUID), run.ID}, ""},
		{"ReproducesNullAccepted", `UPDATE runs SET reproduces = NULL WHERE id = ?`, []any{run.ID}, ""},
		{"ErrReproducesID", `UPDATE runs SET reproduces = ? WHERE id = ?`, []any{fmt.Sprint(other.ID), run.ID}, "CHECK constraint failed"},
		{"ErrReproducesEmpty", `UPDATE runs SET reproduces = '' WHERE id = ?`, []any{run.ID}, "CHECK constraint failed"},
		{"ErrReproducesPrefix", `UPDATE runs SET reproduces = ? WHERE id = ?`, []any{other.UUID[:35], run.ID}, "CHECK constraint failed"},
		{"ErrReproducesNotHex", `UPDATE runs SET reproduces = ? WHERE id = ?`, []any{"01890a5d-ac96-774b-bcce-b302099a809g", run.ID}, "CHECK constraint failed"},
		{"ErrReproducesNoHyphens", `UPDATE runs SET reproduces = ? WHERE id = ?`, []any{"01890a5dac96774bbcceb302099a80990000", run.ID}, "CHECK constraint failed"},
		{"ErrTextInRealColumn", `UPDATE runs SET cgroup_cpu_limit = 'two' WHERE id = ?`, []any{run.ID}, "cannot store TEXT value in REAL column runs.cgroup_cpu_limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.SQL().ExecContext(ctx, tc.query, tc.args...)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}

	t.Run("DeleteRunCascades", func(t *testing.T) {
		if err := rec.AddTrial(ctx, makeTrial(p, p.Steps[0], 0)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().ExecContext(ctx, `DELETE FROM runs WHERE id IN (?, ?)`, run.ID, other.ID); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"cells", "trials", "trial_workers"} {
			if n := queryInt(t, db.SQL(), `SELECT count(*) FROM `+table); n != 0 {
				t.Errorf("%s: %d rows left after deleting the runs", table, n)
			}
		}
	})
}

// TestOpenRefusesForeignFiles checks that Open and OpenExisting reject files
// exp did not write, or wrote with a newer schema, and leave them
// byte-for-byte unchanged with no -wal or -shm beside them.
func TestOpenRefusesForeignFiles(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, path string)
		want  error
	}{
		{
			name: "ErrNotExpDatabase/TextFile",
			setup: func(t *testing.T, path string) {
				if err := os.WriteFile(path, []byte("name: not a database\nworkers: [1]\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			want: ErrNotExpDatabase,
		},
		{
			name: "ErrNotExpDatabase/BinaryFile",
			setup: func(t *testing.T, path string) {
				if err := os.WriteFile(path, bytes.Repeat([]byte{0xff, 0x00, 0x5a}, 4096), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			want: ErrNotExpDatabase,
		},
		{
			name: "ErrNotExpDatabase/ForeignTables",
			setup: func(t *testing.T, path string) {
				execRaw(t, path, `CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)`,
					`INSERT INTO customers (name) VALUES ('ada')`)
			},
			want: ErrNotExpDatabase,
		},
		{
			name: "ErrNotExpDatabase/ForeignTablesWAL",
			setup: func(t *testing.T, path string) {
				execRaw(t, path, `PRAGMA journal_mode = WAL`, `CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)`)
			},
			want: ErrNotExpDatabase,
		},
		{
			name: "ErrNewerSchema/Raw",
			setup: func(t *testing.T, path string) {
				execRaw(t, path, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`,
					`INSERT INTO schema_migrations VALUES (99, '0099_future.sql', '2030-01-01T00:00:00.000000Z')`)
			},
			want: ErrNewerSchema,
		},
		{
			name: "ErrNewerSchema/WrittenByExp",
			setup: func(t *testing.T, path string) {
				db, err := Open(ctx, path)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.SQL().Exec(`INSERT INTO schema_migrations VALUES (99, '0099_future.sql', '2030-01-01T00:00:00.000000Z')`); err != nil {
					t.Fatal(err)
				}
				db.Close()
			},
			want: ErrNewerSchema,
		},
	} {
		for _, op := range []struct {
			name string
			open func(context.Context, string) (*DB, error)
		}{{"Open", Open}, {"OpenExisting", OpenExisting}} {
			t.Run(tc.name+"/"+op.name, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "exp.db")
				tc.setup(t, path)
				for _, side := range []string{"-wal", "-shm", "-journal"} {
					if exists(t, path+side) {
						t.Fatalf("setup left %s behind", path+side)
					}
				}
				before := fileSum(t, path)
				db, err := op.open(ctx, path)
				if err == nil {
					db.Close()
					t.Fatalf("%s succeeded", op.name)
				}
				t.Logf("%s: %v", op.name, err)
				if after := fileSum(t, path); after != before {
					t.Errorf("file changed: sha256 %s -> %s", before, after)
				}
				for _, side := range []string{"-wal", "-shm", "-journal"} {
					if exists(t, path+side) {
						t.Errorf("%s left behind", path+side)
					}
				}
				if !strings.Contains(err.Error(), path) {
					t.Errorf("error %q does not name the file", err)
				}
				if !errors.Is(err, tc.want) {
					t.Errorf("error = %v, want errors.Is %v", err, tc.want)
				}
			})
		}
	}
}

func TestOpenExisting(t *testing.T) {
	ctx := context.Background()

	t.Run("ErrNoDatabase", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "missing.db")
		db, err := OpenExisting(ctx, path)
		if err == nil {
			db.Close()
			t.Fatal("OpenExisting succeeded on a missing file")
		}
		if !errors.Is(err, ErrNoDatabase) {
			t.Errorf("error = %v, want ErrNoDatabase", err)
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("error %q does not name the file", err)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 0 {
			t.Errorf("OpenExisting created %v", entries)
		}
	})

	t.Run("OpensExistingDatabase", func(t *testing.T) {
		first, path := openTestDB(t)
		first.Close()
		db, err := OpenExisting(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if v, err := db.SchemaVersion(ctx); err != nil || v != currentVersion {
			t.Errorf("SchemaVersion = %d, %v; want %d, nil", v, err, currentVersion)
		}
	})
}

// TestOpenPathIsLiteral checks that Open uses the file name it is given:
// characters that mean something in a SQLite URI must not change which file
// is opened. Subtest names avoid those characters, since t.TempDir puts the
// test name into the directory path.
func TestOpenPathIsLiteral(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, file string
	}{
		{"Plain", "exp.db"},
		{"Space", "my runs.db"},
		{"AmpersandEquals", "a&b=c.db"},
		{"Hash", "run#1.db"},
		{"QuestionMark", "what?.db"},
		{"Percent", "100%41.db"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tc.file)
			db, err := Open(ctx, path)
			if err == nil {
				db.Close()
			}
			entries, rerr := os.ReadDir(dir)
			if rerr != nil {
				t.Fatal(rerr)
			}
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if err == nil && len(names) == 1 && names[0] == tc.file {
				return
			}
			msg := fmt.Sprintf("Open(%q): err %v, directory holds %q", tc.file, err, names)
			t.Error(msg)
		})
	}
}

// TestOpenBadPaths: paths that cannot hold a database are ErrCannotOpen, and
// a read-only open leaves an empty file empty.
func TestOpenBadPaths(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for name, path := range map[string]string{
		"Directory":        dir,
		"MissingDirectory": filepath.Join(dir, "nope", "x.db"),
	} {
		t.Run("ErrCannotOpen/"+name, func(t *testing.T) {
			if _, err := Open(ctx, path); !errors.Is(err, ErrCannotOpen) {
				t.Errorf("Open(%s) = %v, want ErrCannotOpen", path, err)
			}
		})
	}
	t.Run("ErrNotExpDatabase/EmptyFileReadOnly", func(t *testing.T) {
		empty := filepath.Join(dir, "empty.db")
		if err := os.WriteFile(empty, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := OpenExisting(ctx, empty); !errors.Is(err, ErrNotExpDatabase) {
			t.Errorf("OpenExisting(empty file) = %v, want ErrNotExpDatabase", err)
		}
		if st, err := os.Stat(empty); err != nil || st.Size() != 0 {
			t.Errorf("the empty file changed: %v, %d bytes", err, st.Size())
		}
	})
}

// TestOpenConcurrently: exps started together on a new file must not both
// apply the migrations; every Open succeeds and the schema is applied once.
func TestOpenConcurrently(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "race.db")
	const n = 6
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			db, err := Open(ctx, path)
			if err == nil {
				err = db.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent Open: %v", err)
		}
	}
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := queryInt(t, db.SQL(), `SELECT count(*) FROM schema_migrations`); int(n) != migrationCount(t) {
		t.Errorf("%d migration rows, want %d", n, migrationCount(t))
	}
}

func TestErrBadInput(t *testing.T) {
	for _, err := range []error{ErrNoDatabase, ErrNotExpDatabase, ErrNewerSchema, ErrCannotOpen, ErrRunNotFound,
		fmt.Errorf("open x.db: %w", ErrNoDatabase)} {
		if !errors.Is(err, ErrBadInput) {
			t.Errorf("%v is not ErrBadInput", err)
		}
	}
	if errors.Is(errors.New("disk full"), ErrBadInput) || errors.Is(ErrBadInput, ErrNoDatabase) {
		t.Error("ErrBadInput matches what it should not")
	}
}
