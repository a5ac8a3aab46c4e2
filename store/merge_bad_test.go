package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestMergeBadInput: an input that is missing, not an exp database,
// damaged, from a newer exp, or the output itself is an error naming it,
// and the output is neither created nor changed.
func TestMergeBadInput(t *testing.T) {
	ctx := context.Background()
	good, _ := mergeSource(t, "good.db", 2, "")
	valid, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	write := func(body []byte) func(t *testing.T, path, out string) {
		return func(t *testing.T, path, out string) {
			if err := os.WriteFile(path, body, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, path, out string)
		want  error
	}{
		{"ErrNoDatabase", func(*testing.T, string, string) {}, ErrNoDatabase},
		{"ErrNotExpDatabase/Text", write([]byte("name: not a database\n")), ErrNotExpDatabase},
		{"ErrNotExpDatabase/Empty", write(nil), ErrNotExpDatabase},
		{"ErrNotExpDatabase/ForeignTables", func(t *testing.T, path, _ string) {
			execRaw(t, path, `CREATE TABLE photos (id INTEGER PRIMARY KEY, taken TEXT)`)
		}, ErrNotExpDatabase},
		{"ErrCorrupt/CutShort", write(valid[:len(valid)/2]), ErrCorrupt},
		{"ErrCorrupt/BrokenLink", func(t *testing.T, path, _ string) {
			write(valid)(t, path, "")
			execRaw(t, path, `PRAGMA foreign_keys = OFF`, `UPDATE trials SET cell_id = 9999 WHERE seq = 2`)
		}, ErrCorrupt},
		{"ErrNewerSchema", func(t *testing.T, path, _ string) {
			write(valid)(t, path, "")
			execRaw(t, path, `INSERT INTO schema_migrations VALUES (99, '0099_future.sql', '2030-01-01T00:00:00.000000Z')`)
		}, ErrNewerSchema},
		{"ErrCannotOpen/Directory", func(t *testing.T, path, _ string) { os.Mkdir(path, 0o755) }, ErrCannotOpen},
		{"ErrSameFile", func(t *testing.T, path, out string) {
			if err := os.Symlink(out, path); err != nil {
				t.Fatal(err)
			}
		}, ErrSameFile},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			existing := copyFile(t, good, "existing.db")
			bad := filepath.Join(dir, "bad.db")
			tc.setup(t, bad, existing)
			outs := []string{existing}
			if tc.want != ErrSameFile {
				outs = append(outs, filepath.Join(dir, "new.db"))
			}
			for _, out := range outs {
				var before string
				if exists(t, out) {
					before = fileSum(t, out)
				}
				_, err := Merge(ctx, out, []string{good, bad}, nil)
				t.Logf("%v", err)
				if !errors.Is(err, tc.want) || !errors.Is(err, ErrBadInput) {
					t.Errorf("Merge into %s = %v, want %v", filepath.Base(out), err, tc.want)
				}
				if err != nil && !strings.HasPrefix(err.Error(), bad+": ") {
					t.Errorf("error %q does not start with the file's name", err)
				}
				switch {
				case before == "" && exists(t, out):
					t.Errorf("%s was created", out)
				case before != "" && fileSum(t, out) != before:
					t.Errorf("%s was changed", out)
				}
			}
		})
	}
	t.Run("OutNewerSchema", func(t *testing.T) {
		out := copyFile(t, good, "out.db")
		execRaw(t, out, `INSERT INTO schema_migrations VALUES (99, '0099_future.sql', '2030-01-01T00:00:00.000000Z')`)
		if _, err := Merge(ctx, out, []string{good}, nil); !errors.Is(err, ErrNewerSchema) {
			t.Errorf("Merge into a newer file = %v, want ErrNewerSchema", err)
		}
	})
}

// TestRunTables: every table of the schema but schema_migrations holds
// part of a run, and both the digest (runTables) and the copy
// (copyTables) know it, and every link by id between them. A migration
// that adds a table or a link fails here until merge knows it.
func TestRunTables(t *testing.T) {
	db, _ := openTestDB(t)
	rows, err := queryRows(context.Background(), db.SQL(), `
		SELECT m.name, f."from", f."table" FROM sqlite_schema m LEFT JOIN pragma_foreign_key_list(m.name) f ON f."to" = 'id'
		WHERE m.type = 'table' AND m.name NOT IN ('schema_migrations') AND m.name NOT LIKE 'sqlite_%' ORDER BY 1, 2`, 3)
	if err != nil {
		t.Fatal(err)
	}
	var schema, known []string
	for _, r := range rows {
		schema = append(schema, fmt.Sprintf("%v.%v->%v", r...))
	}
	for i, ct := range copyTables {
		rt := runTables[slices.IndexFunc(runTables, func(rt runTable) bool { return rt.name == ct.name })]
		if len(ct.links) == 0 {
			known = append(known, ct.name+".<nil>-><nil>")
		}
		for col, table := range ct.links {
			known = append(known, fmt.Sprintf("%s.%s->%s", ct.name, col, table))
			if !slices.Contains(rt.skip, col) && !slices.ContainsFunc(rt.links, func(l link) bool { return l.col == col }) {
				t.Errorf("runTables: %s.%s, a link by id, is neither skipped nor replaced", ct.name, col)
			}
		}
		if i > 0 && !slices.Contains(rt.skip, "id") && ct.name != "trial_workers" {
			t.Errorf("runTables: %s.id is not skipped", ct.name)
		}
	}
	slices.Sort(known)
	if !slices.Equal(schema, known) || len(runTables) != len(copyTables) {
		t.Errorf("tables and links by id:\nschema %q\n known %q", schema, known)
	}
}

// TestMergeConflictLeavesOldOut: an output from an older exp that holds a
// run with different content than the input's is left as it was, schema
// version included, although a merge that succeeds upgrades it.
func TestMergeConflictLeavesOldOut(t *testing.T) {
	ctx := context.Background()
	out := oldDatabase(t, "0001_init.sql")
	in := oldDatabase(t, "0001_init.sql")
	execRaw(t, in, `UPDATE runs SET name = 'changed'`)
	before := fileSum(t, out)
	if _, err := Merge(ctx, out, []string{in}, nil); !errors.Is(err, ErrRunConflict) {
		t.Fatalf("Merge = %v, want ErrRunConflict", err)
	}
	if fileSum(t, out) != before {
		t.Error("a failed merge changed the older output file")
	}
	same := oldDatabase(t, "0001_init.sql")
	if _, err := Merge(ctx, out, []string{same}, nil); err != nil {
		t.Fatal(err)
	}
	db, err := OpenExisting(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.SchemaVersion(ctx); err != nil || v != currentVersion {
		t.Errorf("after a merge, schema version %d (%v), want %d", v, err, currentVersion)
	}
}

// TestMergeLeavesRunningRuns: a run whose exp is still writing it (marked
// running, heartbeat fresh) is left out and reported as running, so that
// the output never holds a copy that its run will soon differ from; once
// it ends, merging again adds it.
func TestMergeLeavesRunningRuns(t *testing.T) {
	ctx := context.Background()
	in := oldDatabase(t, "0001_init.sql")
	db, err := Open(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	execRaw(t, in, `UPDATE runs SET status = 'running', finished_at = NULL, heartbeat_at = '`+formatTime(time.Now())+`'`)
	out := filepath.Join(t.TempDir(), "out.db")
	got, err := Merge(ctx, out, []string{in}, nil)
	if err != nil || len(got) != 1 || len(got[0].Running) != 1 || len(got[0].Added) != 0 {
		t.Fatalf("Merge = %+v, %v; want the run left out as running", got, err)
	}
	if n := queryOne(t, out, `SELECT count(*) FROM runs`); n != 0 {
		t.Errorf("out holds %d runs, want none", n)
	}
	execRaw(t, in, `UPDATE runs SET status = 'done', finished_at = heartbeat_at`)
	if got, err = Merge(ctx, out, []string{in}, nil); err != nil || len(got[0].Added) != 1 || len(got[0].Running) != 0 {
		t.Errorf("Merge once done = %+v, %v; want the run added", got, err)
	}
}

// queryOne returns the integer that query gives on the file at path.
func queryOne(t *testing.T, path, query string) int {
	t.Helper()
	var n int
	if err := rawDB(t, path).QueryRow(query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
