package store

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/exp-tool/exp/experiment"
)

// TestMergeBothCopies checks that a merge copying inside SQLite
// (copyAttached) and one copying row by row (copyRun, for inputs beyond
// maxAttached) give the same runs, rows and links.
func TestMergeBothCopies(t *testing.T) {
	ctx := context.Background()
	a, _ := mergeSource(t, "a.db", 3, "")
	b, bRuns := mergeSource(t, "b.db", 2, "")
	merged := func(attach int) string {
		defer func(old int) { maxAttached = old }(maxAttached)
		maxAttached = attach
		out := filepath.Join(t.TempDir(), "out.db")
		// Something in out first, so that ids are shifted.
		if _, err := Merge(ctx, out, []string{b}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := Merge(ctx, out, []string{a}, nil); err != nil {
			t.Fatal(err)
		}
		return out
	}
	attached, rows := merged(8), merged(0)
	if got, want := digests(t, attached), digests(t, rows); !reflect.DeepEqual(got, want) || len(got) < len(bRuns) {
		t.Errorf("digests with copyAttached %v, row by row %v", got, want)
	}
	if got, want := tableCounts(t, attached), tableCounts(t, rows); !reflect.DeepEqual(got, want) {
		t.Errorf("rows with copyAttached %v, row by row %v", got, want)
	}
	if n := queryInt(t, rawDB(t, attached), `SELECT count(*) FROM pragma_foreign_key_check`); n != 0 {
		t.Errorf("%d foreign key violations", n)
	}
}

// TestMergeInterleavedRuns merges a file whose two runs were written at
// once, so that their trials' ids alternate: copyAttached then selects a
// run's worker rows through their trials, not by a range of rowids.
func TestMergeInterleavedRuns(t *testing.T) {
	ctx := context.Background()
	db, in := openTestDB(t)
	p := testPlan(t)
	var recs []*Recorder
	for i := range 2 {
		run := testRun(t, p, fullHost(), t0.Add(time.Duration(i)*time.Minute))
		recs = append(recs, createTestRun(t, db, p, &run, nil))
	}
	for j, st := range p.Steps {
		for i, rec := range recs {
			if err := rec.AddTrial(ctx, makeTrial(p, st, j+100*i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, rec := range recs {
		if err := rec.Finish(experiment.StatusDone, ""); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	out := filepath.Join(t.TempDir(), "out.db")
	if _, err := Merge(ctx, out, []string{in}, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := digests(t, out), digests(t, in); !reflect.DeepEqual(got, want) || len(got) != 2 {
		t.Errorf("digests in out %v, want the input's %v", got, want)
	}
	if got, want := tableCounts(t, out), tableCounts(t, in); !reflect.DeepEqual(got, want) {
		t.Errorf("rows in out %v, want the input's %v", got, want)
	}
	if n := queryInt(t, rawDB(t, out), `SELECT count(*) FROM pragma_foreign_key_check`); n != 0 {
		t.Errorf("%d foreign key violations", n)
	}
}
