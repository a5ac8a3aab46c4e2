package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exp-tool/exp/experiment"
)

// mergedTables are the tables whose rows a merge adds up.
var mergedTables = []string{"runs", "cells", "trials", "trial_workers", "run_invocations"}

// mergeSource writes an exp database called name with runs finished runs
// of testPlan, the first interrupted halfway and resumed (two
// invocations), and the second deleted afterwards, so that the ids of
// every table have gaps. The last run reproduces reproduces ("" for none).
// It returns the path and the UUIDs of the runs kept, in id order.
func mergeSource(tb testing.TB, name string, runs int, reproduces string) (string, []string) {
	tb.Helper()
	ctx := context.Background()
	path := filepath.Join(tb.TempDir(), name)
	db, err := Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	db.Now = func() time.Time { return t0 }
	p := testPlan(tb)
	var kept []string
	for i := range runs {
		run := testRun(tb, p, fullHost(), t0.Add(time.Duration(i)*time.Minute))
		if i == runs-1 {
			run.Reproduces = reproduces
		}
		rec := createTestRun(tb, db, p, &run, nil)
		for j, st := range p.Steps {
			if i == 0 && j == len(p.Steps)/2 {
				if err := rec.Finish(experiment.StatusInterrupted, "interrupted"); err != nil {
					tb.Fatal(err)
				}
				if rec, err = db.ResumeRun(ctx, run.ID, "bench-2"); err != nil {
					tb.Fatal(err)
				}
			}
			if err := rec.AddTrial(ctx, makeTrial(p, st, j+100*i)); err != nil {
				tb.Fatal(err)
			}
		}
		if err := rec.Finish(experiment.StatusDone, ""); err != nil {
			tb.Fatal(err)
		}
		if i == 1 {
			if _, err := db.SQL().Exec(`DELETE FROM runs WHERE id = ?`, run.ID); err != nil {
				tb.Fatal(err)
			}
			continue
		}
		kept = append(kept, run.UUID)
	}
	return path, kept
}

// tableCounts returns the rows of each of mergedTables in the file at path.
func tableCounts(tb testing.TB, path string) map[string]int64 {
	tb.Helper()
	sdb := rawDB(tb, path)
	counts := map[string]int64{}
	for _, table := range mergedTables {
		counts[table] = queryInt(tb, sdb, `SELECT count(*) FROM `+table)
	}
	sdb.Close()
	return counts
}

// digests returns the RunDigest of each run in the file at path, by UUID.
func digests(tb testing.TB, path string) map[string]string {
	tb.Helper()
	ctx := context.Background()
	db, err := OpenExisting(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	runs, err := db.ListRuns(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range runs {
		if out[r.UUID], err = db.RunDigest(ctx, r.ID); err != nil {
			tb.Fatal(err)
		}
	}
	return out
}

// copyFile copies the file at src to a new file called name, and returns its path.
func copyFile(tb testing.TB, src, name string) string {
	tb.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		tb.Fatal(err)
	}
	dst := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		tb.Fatal(err)
	}
	return dst
}

// TestMerge merges two files of several runs each, with gaps in their ids,
// into a new one; merges them again; and merges runs whose UUID the output
// (or another input) holds with different content.
func TestMerge(t *testing.T) {
	ctx := context.Background()
	a, aRuns := mergeSource(t, "a.db", 4, "")
	b, bRuns := mergeSource(t, "b.db", 3, aRuns[0])
	aSum, bSum := fileSum(t, a), fileSum(t, b)
	out := filepath.Join(t.TempDir(), "out.db")
	var progress []string
	got, err := Merge(ctx, out, []string{a, b}, func(i int, in string) { progress = append(progress, in) })
	if err != nil {
		t.Fatal(err)
	}
	want := []MergeResult{{Input: a, Added: aRuns, Present: []string{}, Running: []string{}}, {Input: b, Added: bRuns, Present: []string{}, Running: []string{}}}
	if !reflect.DeepEqual(got, want) || !slices.Equal(progress, []string{a, b}) {
		t.Fatalf("Merge = %+v (progress %q), want %+v", got, progress, want)
	}
	if fileSum(t, a) != aSum || fileSum(t, b) != bSum {
		t.Error("merging changed an input")
	}
	outCounts, outDigests := tableCounts(t, out), digests(t, out)
	outSum := fileSum(t, out)

	t.Run("EveryRunWhole", func(t *testing.T) {
		ca, cb := tableCounts(t, a), tableCounts(t, b)
		for _, table := range mergedTables {
			if outCounts[table] != ca[table]+cb[table] || ca[table] == 0 {
				t.Errorf("%s: %d rows in out, want %d + %d", table, outCounts[table], ca[table], cb[table])
			}
		}
		want := digests(t, a)
		for u, d := range digests(t, b) {
			want[u] = d
		}
		if !reflect.DeepEqual(outDigests, want) {
			t.Errorf("digests in out %v, want the inputs' %v", outDigests, want)
		}
		sdb := rawDB(t, out)
		if n := queryInt(t, sdb, `SELECT count(*) FROM pragma_foreign_key_check`); n != 0 {
			t.Errorf("%d foreign key violations in out", n)
		}
		if n := queryInt(t, sdb, `SELECT max(id) FROM runs`); n != int64(len(aRuns)+len(bRuns)) {
			t.Errorf("max run id %d: want the runs renumbered from 1", n)
		}
	})

	t.Run("ReadsBackAsInTheInput", func(t *testing.T) {
		src, err := OpenExisting(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		dst, err := OpenExisting(ctx, out)
		if err != nil {
			t.Fatal(err)
		}
		defer dst.Close()
		for _, u := range aRuns {
			rs, err1 := src.FindRun(ctx, u)
			rd, err2 := dst.FindRun(ctx, u)
			ts, err3 := src.Trials(ctx, rs.ID)
			td, err4 := dst.Trials(ctx, rd.ID)
			is, err5 := src.Invocations(ctx, rs.ID)
			id, err6 := dst.Invocations(ctx, rd.ID)
			if err := errors.Join(err1, err2, err3, err4, err5, err6); err != nil {
				t.Fatal(err)
			}
			rd.ID = rs.ID
			checkRun(t, rd, rs)
			checkTrials(t, td, ts)
			if !reflect.DeepEqual(id, is) || len(is) == 0 {
				t.Errorf("run %s: invocations %+v, want %+v", u, id, is)
			}
		}
	})

	t.Run("ReproductionLinkSurvives", func(t *testing.T) {
		db, err := OpenExisting(ctx, out)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		found, err := db.Reproductions(ctx, aRuns[0])
		if err != nil || len(found) != 1 || found[0].UUID != bRuns[len(bRuns)-1] {
			t.Errorf("Reproductions(%s) = %+v, %v; want b's last run", aRuns[0], found, err)
		}
	})

	t.Run("AgainChangesNothing", func(t *testing.T) {
		got, err := Merge(ctx, out, []string{b, a}, nil)
		want := []MergeResult{{Input: b, Added: []string{}, Present: bRuns, Running: []string{}}, {Input: a, Added: []string{}, Present: aRuns, Running: []string{}}}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("Merge again = %+v, %v; want %+v", got, err, want)
		}
		if !reflect.DeepEqual(tableCounts(t, out), outCounts) || !reflect.DeepEqual(digests(t, out), outDigests) || fileSum(t, out) != outSum {
			t.Error("merging again changed out")
		}
	})

	t.Run("OneInputTwice", func(t *testing.T) {
		out2 := filepath.Join(t.TempDir(), "out.db")
		got, err := Merge(ctx, out2, []string{a, a}, nil)
		want := []MergeResult{{Input: a, Added: aRuns, Present: []string{}, Running: []string{}}, {Input: a, Added: []string{}, Present: aRuns, Running: []string{}}}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("Merge(a, a) = %+v, %v; want %+v", got, err, want)
		}
	})

	// altered is a copy of a with stmt applied to its second run.
	altered := func(t *testing.T, stmt string) string {
		path := copyFile(t, a, "altered.db")
		execRaw(t, path, strings.ReplaceAll(stmt, "RUN", `(SELECT id FROM runs WHERE uuid = '`+aRuns[1]+`')`))
		return path
	}
	t.Run("ErrRunConflict/WithOut", func(t *testing.T) {
		c, cRuns := mergeSource(t, "c.db", 1, "")
		bad := altered(t, `UPDATE trials SET wall_ns = 7 WHERE run_id = RUN AND seq = 3`)
		_, err := Merge(ctx, out, []string{c, bad}, nil)
		if !errors.Is(err, ErrRunConflict) || !errors.Is(err, ErrBadInput) {
			t.Fatalf("Merge = %v, want ErrRunConflict", err)
		}
		for _, w := range []string{aRuns[1], out, bad, "trials seq 3: wall_ns 1234568093 vs 7", "nothing was merged"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q lacks %q", err, w)
			}
		}
		if fileSum(t, out) != outSum || !reflect.DeepEqual(tableCounts(t, out), outCounts) {
			t.Error("a conflict changed out")
		}
		if _, ok := digests(t, out)[cRuns[0]]; ok {
			t.Error("c's run was merged despite the conflict")
		}
	})
	t.Run("ErrRunConflict/BetweenInputs", func(t *testing.T) {
		bad := altered(t, `DELETE FROM trial_workers WHERE trial_id = (SELECT id FROM trials WHERE run_id = RUN AND seq = 5);
			DELETE FROM trials WHERE run_id = RUN AND seq = 5`)
		fresh := filepath.Join(t.TempDir(), "out.db")
		_, err := Merge(ctx, fresh, []string{a, b, bad}, nil)
		if !errors.Is(err, ErrRunConflict) {
			t.Fatalf("Merge = %v, want ErrRunConflict", err)
		}
		for _, w := range []string{aRuns[1], a, bad, "trials: 24 vs 23 rows"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q lacks %q", err, w)
			}
		}
		if exists(t, fresh) {
			t.Error("a conflict between inputs created out")
		}
	})
	t.Run("ErrRunConflict/RunsRow", func(t *testing.T) {
		bad := altered(t, `UPDATE runs SET status = 'failed' WHERE id = RUN`)
		_, err := Merge(ctx, out, []string{bad}, nil)
		if !errors.Is(err, ErrRunConflict) || !strings.Contains(err.Error(), `(runs: status "done" vs "failed";`) {
			t.Errorf("Merge = %v, want ErrRunConflict naming the status", err)
		}
	})
}

// TestMergeOldInput merges a file written by an exp that knew only
// 0001_init: the file is not changed, and its run reads back from the
// output with the defaults of the later columns.
func TestMergeOldInput(t *testing.T) {
	ctx := context.Background()
	old := oldDatabase(t, "0001_init.sql")
	execRaw(t, old,
		`INSERT INTO cells (run_id, idx, range_idx, range_start, range_count, schedule, workers) VALUES (1, 0, 0, 1, 10, 'static', 1)`,
		`INSERT INTO trials (run_id, cell_id, seq, rep, warmup, started_at, wall_ns, user_ns, sys_ns, primes, checksum, ok)
			VALUES (1, 1, 0, 0, 0, '2024-01-01T00:00:01.000000Z', 5, 5, 0, 4, 'x', 1), (1, 1, 1, 1, 0, '2024-01-01T00:00:02.000000Z', 6, 5, 0, 4, 'x', 1)`,
		`INSERT INTO trial_workers (trial_id, worker, busy_ns, items, primes) VALUES (1, 0, 5, 10, 4), (2, 0, 6, 10, 4)`)
	before, names := fileSum(t, old), listNames(t, filepath.Dir(old))
	out := filepath.Join(t.TempDir(), "out.db")
	got, err := Merge(ctx, out, []string{old}, nil)
	if err != nil || len(got) != 1 || len(got[0].Added) != 1 {
		t.Fatalf("Merge = %+v, %v; want the old run added", got, err)
	}
	if fileSum(t, old) != before || !slices.Equal(listNames(t, filepath.Dir(old)), names) {
		t.Error("merging changed the old file or its directory")
	}
	db, err := OpenExisting(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkOldRun(t, db, currentVersion)
	r, err := db.FindRun(ctx, got[0].Added[0])
	if err != nil || r.Trials != 2 || r.Invocations != 1 {
		t.Fatalf("merged run: %d trials, %d invocations (%v); want 2, 1", r.Trials, r.Invocations, err)
	}
	trials, err := db.Trials(ctx, r.ID)
	if err != nil || len(trials) != 2 || trials[1].WallNS != 6 || trials[1].TimedOut || trials[1].HasOtherCPU || len(trials[1].Workers) != 1 {
		t.Errorf("merged trials = %+v, %v; want 2, not timed out, no other CPU, one worker each", trials, err)
	}
}

// listNames returns the names in dir.
func listNames(tb testing.TB, dir string) []string {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
