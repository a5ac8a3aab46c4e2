package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/exp-tool/exp/experiment"
)

// TestReproductions links runs to the runs they reproduce: a chain
// (c reproduces b, b reproduces a), a second reproduction of a, and a run
// whose original is not in this file. Each link round-trips, and
// Reproductions finds exactly the runs naming a UUID, oldest first.
func TestReproductions(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	p := testPlan(t)
	const elsewhere = "01890a5d-ac96-774b-bcce-0000000000ff" // a run in another file
	add := func(i int, reproduces string) experiment.Run {
		t.Helper()
		r := testRun(t, p, fullHost(), t0.Add(time.Duration(i)*time.Minute))
		r.Reproduces = reproduces
		createTestRun(t, db, p, &r, nil)
		return r
	}
	a := add(0, "")
	b := add(1, a.UUID)
	c := add(2, b.UUID)
	d := add(3, a.UUID)
	e := add(4, elsewhere)

	t.Run("LinkRoundTrips", func(t *testing.T) {
		for _, want := range []experiment.Run{a, b, c, d, e} {
			got, err := db.FindRun(ctx, want.UUID)
			if err != nil {
				t.Fatal(err)
			}
			checkRun(t, got, want)
		}
		if n := queryInt(t, db.SQL(), `SELECT count(*) FROM runs WHERE reproduces IS NULL`); n != 1 {
			t.Errorf("%d runs with reproduces NULL, want 1: \"\" is stored as NULL", n)
		}
	})

	for _, tc := range []struct {
		name string
		uuid string
		want []experiment.Run
	}{
		{"TwoReproductionsOldestFirst", a.UUID, []experiment.Run{b, d}},
		{"OneLinkOfAChain", b.UUID, []experiment.Run{c}},
		{"NotReproduced", c.UUID, nil},
		{"OriginalInAnotherFile", elsewhere, []experiment.Run{e}},
		{"NoSuchRun", "01890a5d-ac96-774b-bcce-000000000000", nil},
		{"EmptyUUID", "", nil},
		{"PrefixIsNotEnough", a.UUID[:13], nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.Reproductions(ctx, tc.uuid)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("Reproductions(%q) = %d runs, want %d", tc.uuid, len(got), len(tc.want))
			}
			for i := range tc.want {
				checkRun(t, got[i], tc.want[i])
			}
		})
	}

	t.Run("ErrNotAUUID", func(t *testing.T) {
		r := testRun(t, p, fullHost(), t0)
		r.Reproduces = "1"
		if _, err := db.CreateRun(ctx, &r, p, nil); err == nil {
			t.Fatal("CreateRun stored a run that reproduces \"1\"; want the CHECK to refuse an id")
		}
	})
}

// TestCounts stores a run with some trials of each kind and counts them.
func TestCounts(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	p := testPlan(t) // 8 cells, 1 warmup + 2 repeats each
	run := testRun(t, p, fullHost(), t0)
	rec := createTestRun(t, db, p, &run, nil)
	empty := testRun(t, p, fullHost(), t0)
	createTestRun(t, db, p, &empty, nil)

	var want RunCounts
	want.Cells = len(p.Cells)
	for i, st := range p.Steps[:15] {
		tr := makeTrial(p, st, i)
		if i%4 == 1 { // a failed trial, warmup or not
			tr.OK, tr.Mismatch = false, "wrong answer"
			want.Failed++
		}
		if st.Warmup {
			want.Warmup++
		} else {
			want.Measured++
		}
		if err := rec.AddTrial(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	if want.Warmup == 0 || want.Measured == 0 || want.Failed == 0 {
		t.Fatalf("fixture has %+v; want some trials of every kind", want)
	}
	failedWarmups := queryInt(t, db.SQL(), `SELECT count(*) FROM trials WHERE ok = 0 AND warmup = 1`)
	if failedWarmups == 0 {
		t.Fatal("fixture has no failed warmup; Failed must be seen to count them")
	}

	for _, tc := range []struct {
		name  string
		runID int64
		want  RunCounts
	}{
		{"Trials", run.ID, want},
		{"NoTrialsYet", empty.ID, RunCounts{Cells: len(p.Cells)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.Counts(ctx, tc.runID)
			if err != nil || got != tc.want {
				t.Errorf("Counts(%d) = %+v, %v; want %+v", tc.runID, got, err, tc.want)
			}
		})
	}
	t.Run("ErrRunNotFound", func(t *testing.T) {
		if _, err := db.Counts(ctx, 99); !errors.Is(err, ErrRunNotFound) {
			t.Errorf("Counts(99) = %v, want ErrRunNotFound", err)
		}
	})
}
