package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/exp-tool/exp/experiment"
)

// TestRunDigest: a change to any table of a run changes its digest, a
// change to another run does not, and a column a later migration adds is
// part of the content with no change to the code.
func TestRunDigest(t *testing.T) {
	ctx := context.Background()
	src, uuids := mergeSource(t, "a.db", 3, "")
	digestOf := func(t *testing.T, path string) (string, []tableRows) {
		t.Helper()
		db, err := OpenExisting(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		r, err := db.FindRun(ctx, uuids[0])
		if err != nil {
			t.Fatal(err)
		}
		d, err := db.RunDigest(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		content, err := runContent(ctx, db.sql, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		return d, content
	}
	want, wantContent := digestOf(t, src)
	const run = `(SELECT id FROM runs ORDER BY id LIMIT 1)`
	for _, tc := range []struct {
		name, stmt string
		diff       string // "": the digest must not change
	}{
		{"RunsColumn", `UPDATE runs SET kernel_release = 'x' WHERE id = ` + run, `runs: kernel_release "6.1.0-18-amd64" vs "x"`},
		{"CellsColumn", `UPDATE cells SET range_count = 99 WHERE run_id = ` + run + ` AND idx = 2`, "cells idx 2: range_count 100 vs 99"},
		{"TrialToNULL", `UPDATE trials SET load1 = NULL WHERE run_id = ` + run + ` AND seq = 1`, "trials seq 1: load1 0.25 vs NULL"},
		{"TrialsCell", `UPDATE trials SET cell_id = (SELECT id FROM cells WHERE run_id = ` + run + ` AND idx = 7) WHERE run_id = ` + run + ` AND seq = 0`,
			"trials seq 0: cell idx "},
		{"WorkerColumn", `UPDATE trial_workers SET items = 0 WHERE worker = 0 AND trial_id = (SELECT id FROM trials WHERE run_id = ` + run + ` AND seq = 4)`,
			"trial_workers trial seq 4 worker 0: items "},
		{"InvocationRow", `DELETE FROM run_invocations WHERE id = (SELECT max(id) FROM run_invocations WHERE run_id = ` + run + `)`,
			"run_invocations: 2 vs 1 rows"},
		{"ColumnOfALaterMigration", `ALTER TABLE trials ADD COLUMN energy_uj INTEGER NOT NULL DEFAULT 0`, "trials: columns "},
		{"AnotherRun", `UPDATE trials SET wall_ns = 1 WHERE run_id = (SELECT max(id) FROM runs)`, ""},
		{"AnotherRunDeleted", `DELETE FROM runs WHERE id = (SELECT max(id) FROM runs)`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := copyFile(t, src, "changed.db")
			execRaw(t, path, tc.stmt)
			got, content := digestOf(t, path)
			diff := diffRuns(wantContent, content)
			switch {
			case tc.diff == "" && (got != want || diff != ""):
				t.Errorf("digest changed (%s)", diff)
			case tc.diff != "" && (got == want || !strings.Contains(diff, tc.diff)):
				t.Errorf("digest %s -> %s, diff %q; want a change, %q", want, got, diff, tc.diff)
			}
		})
	}
	t.Run("ErrRunNotFound", func(t *testing.T) {
		db, err := OpenExisting(ctx, src)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.RunDigest(ctx, 999); !errors.Is(err, ErrRunNotFound) {
			t.Errorf("RunDigest(999) = %v, want ErrRunNotFound", err)
		}
	})
}

// TestMergeInputBeingWritten merges a file another exp is still writing,
// with trials in its WAL: the copy holds them, and the file is not
// changed. Once the run has more trials, merging it again is a conflict.
func TestMergeInputBeingWritten(t *testing.T) {
	ctx := context.Background()
	in, p, run, rec := writerWithWAL(t)
	before, wal := fileSum(t, in), fileSum(t, in+"-wal")
	out := in + ".out"
	if _, err := Merge(ctx, out, []string{in}, nil); err != nil {
		t.Fatal(err)
	}
	if fileSum(t, in) != before || fileSum(t, in+"-wal") != wal {
		t.Error("merging changed the file or its WAL")
	}
	merged, err := OpenExisting(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	r, err := merged.FindRun(ctx, run.UUID)
	merged.Close()
	if err != nil || r.Trials != 3 || r.Status != experiment.StatusRunning && r.Status != experiment.StatusAbandoned {
		t.Fatalf("merged run: %d trials, %s (%v); want 3, running", r.Trials, r.Status, err)
	}
	if err := rec.AddTrial(ctx, makeTrial(p, p.Steps[3], 3)); err != nil {
		t.Fatal(err)
	}
	if _, err := Merge(ctx, out, []string{in}, nil); !errors.Is(err, ErrRunConflict) || !strings.Contains(err.Error(), "(trials: 3 vs 4 rows;") {
		t.Errorf("merging the grown run = %v, want ErrRunConflict, trials: 3 vs 4 rows", err)
	}
}
