package store

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/exp-tool/exp/migrations"
)

// newMerger returns the merger Merge would use to merge into out.
func newMerger(t *testing.T, out string) *merger {
	t.Helper()
	all, err := loadMigrations(migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	return &merger{out: out, all: all, seen: map[string]*mergeRun{}}
}

// TestMergeReadsInputsInPlace: an input at the current schema is read
// where it is, with no copy in $TMPDIR (here a directory that does not
// exist), and left as it was, with no -wal or -shm file beside it.
func TestMergeReadsInputsInPlace(t *testing.T) {
	ctx := context.Background()
	in, runs := mergeSource(t, "in.db", 3, "")
	sum, names := fileSum(t, in), listNames(t, filepath.Dir(in))
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	got, err := Merge(ctx, filepath.Join(t.TempDir(), "out.db"), []string{in}, nil)
	if err != nil || !slices.Equal(got[0].Added, runs) {
		t.Fatalf("Merge = %+v, %v; want %q added", got, err, runs)
	}
	if fileSum(t, in) != sum || !slices.Equal(listNames(t, filepath.Dir(in)), names) {
		t.Error("merging changed the input or its directory")
	}
}

// TestMergeLocksOutOnly: while merge's transaction is open, another exp
// may write to an input (which merge attached read-write, to leave no
// -wal file behind), but not to out.
func TestMergeLocksOutOnly(t *testing.T) {
	ctx := context.Background()
	defer func(old time.Duration) { BusyTimeout = old }(BusyTimeout)
	BusyTimeout = 50 * time.Millisecond
	in, _ := mergeSource(t, "in.db", 1, "")
	out := filepath.Join(t.TempDir(), "out.db")
	m := newMerger(t, out)
	if err := m.read(ctx, in); err != nil {
		t.Fatal(err)
	}
	if m.inputs[0].mode != "rw" {
		t.Fatalf("input opened %q, want rw (no -wal beside it)", m.inputs[0].mode)
	}
	db, err := Open(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	attached, err := m.attach(ctx, conn)
	if err != nil || attached[m.inputs[0]] == "" {
		t.Fatalf("attach = %v, %v", attached, err)
	}
	if err := begin(ctx, conn); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, `ROLLBACK`)
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM input0.trials`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("read the input: %d trials, %v", n, err)
	}
	for _, tc := range []struct {
		path     string
		writable bool
	}{{in, true}, {out, false}} {
		w, err := dial(tc.path, "rw")
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.sql.Exec(`UPDATE runs SET name = name`)
		w.Close()
		if (err == nil) != tc.writable {
			t.Errorf("another writer on %s during the merge: %v; want it to write: %t", filepath.Base(tc.path), err, tc.writable)
		}
	}
}

// TestMergeRunResumedMeanwhile: a run that an exp takes up again between
// the reading of its input and the copy (exp run --resume) is left out as
// running, not copied half-done.
func TestMergeRunResumedMeanwhile(t *testing.T) {
	ctx := context.Background()
	in, runs := mergeSource(t, "in.db", 3, "")
	for _, attach := range []int{maxAttached, 0} {
		out := filepath.Join(t.TempDir(), "out.db")
		m := newMerger(t, out)
		if err := m.read(ctx, in); err != nil {
			t.Fatal(err)
		}
		execRaw(t, in, `UPDATE runs SET status = 'running', heartbeat_at = '`+formatTime(time.Now())+`' WHERE uuid = '`+runs[0]+`'`)
		defer func(old int) { maxAttached = old }(maxAttached)
		maxAttached = attach
		if err := m.write(ctx, out); err != nil {
			t.Fatal(err)
		}
		want := []MergeResult{{Input: in, Added: runs[1:], Present: []string{}, Running: runs[:1]}}
		if got := m.results(); !reflect.DeepEqual(got, want) {
			t.Errorf("maxAttached %d: results %+v, want %+v", attach, got, want)
		}
		if n := queryOne(t, out, `SELECT count(*) FROM runs WHERE uuid = '`+runs[0]+`'`); n != 0 {
			t.Errorf("maxAttached %d: the resumed run was copied", attach)
		}
		execRaw(t, in, `UPDATE runs SET status = 'done' WHERE uuid = '`+runs[0]+`'`)
	}
}

// TestMergeWriterEndsMeanwhile: an input read beside its writer's -wal,
// whose writer ends (and removes the -wal) before the copy, is then read
// read-write, as a reader opening it would, so that no -wal or -shm file
// is left beside it.
func TestMergeWriterEndsMeanwhile(t *testing.T) {
	ctx := context.Background()
	in, _, run, rec := writerWithWAL(t)
	out := filepath.Join(t.TempDir(), "out.db")
	m := newMerger(t, out)
	if err := m.read(ctx, in); err != nil {
		t.Fatal(err)
	}
	if m.inputs[0].mode != "ro" {
		t.Fatalf("input opened %q, want ro (beside a -wal)", m.inputs[0].mode)
	}
	if err := rec.db.Close(); err != nil || exists(t, in+"-wal") {
		t.Fatalf("the writer's close (%v) left its -wal", err)
	}
	names := listNames(t, filepath.Dir(in))
	if err := m.write(ctx, out); err != nil {
		t.Fatal(err)
	}
	if got := listNames(t, filepath.Dir(in)); !slices.Equal(got, names) {
		t.Errorf("files beside the input: %q, before the merge %q", got, names)
	}
	if n := queryOne(t, out, `SELECT count(*) FROM trials t JOIN runs r ON r.id = t.run_id WHERE r.uuid = '`+run.UUID+`'`); n != 3 {
		t.Errorf("merged %d trials, want 3", n)
	}
}

// TestMergeKeepsSchema: a new out, whose index on trials merge drops
// while it copies the trials, has the schema of a file exp creates, and
// the index finds each cell's trials.
func TestMergeKeepsSchema(t *testing.T) {
	ctx := context.Background()
	in, _ := mergeSource(t, "in.db", 3, "")
	out := filepath.Join(t.TempDir(), "out.db")
	if _, err := Merge(ctx, out, []string{in}, nil); err != nil {
		t.Fatal(err)
	}
	_, fresh := openTestDB(t)
	schema := func(path string) []string {
		rows, err := queryRows(ctx, rawDB(t, path), `SELECT type, name, sql FROM sqlite_schema ORDER BY type, name`, 3)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, fmt.Sprint(r...))
		}
		return out
	}
	if got, want := schema(out), schema(fresh); !slices.Equal(got, want) {
		t.Errorf("merged file's schema:\n%q\nwant a new file's:\n%q", got, want)
	}
	sdb := rawDB(t, out)
	if n := queryInt(t, sdb, `SELECT count(*) FROM trials INDEXED BY trials_cell WHERE cell_id = (SELECT min(cell_id) FROM trials)`); n == 0 {
		t.Error("trials_cell finds no trial of the first cell")
	}
	if rows, err := queryRows(ctx, sdb, `PRAGMA integrity_check`, 1); err != nil || len(rows) != 1 || rows[0][0] != "ok" {
		t.Errorf("integrity_check: %v, %v", rows, err)
	}
}
