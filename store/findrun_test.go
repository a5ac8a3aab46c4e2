package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/exp-tool/exp/experiment"
)

// TestFindRun resolves every kind of reference against three runs: two whose
// UUIDs share the prefix "0a1b2c3d" and one with a UUIDv7 from NewRun.
func TestFindRun(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	p := testPlan(t)
	var runs []experiment.Run
	for i, uuid := range []string{"0a1b2c3d-0000-7000-8000-0000000000a0", "0a1b2c3d-0000-7000-8000-0000000000b0", ""} {
		r := testRun(t, p, fullHost(), t0.Add(time.Duration(i)*time.Hour))
		if uuid != "" {
			r.UUID = uuid
		}
		rec := createTestRun(t, db, p, &r, nil)
		for j := range i + 1 { // run i has i+1 trials
			if err := rec.AddTrial(ctx, makeTrial(p, p.Steps[j], j)); err != nil {
				t.Fatal(err)
			}
		}
		r.Trials = i + 1
		runs = append(runs, r)
	}
	a, b, c := runs[0], runs[1], runs[2]

	t.Run("ListRunsOldestFirst", func(t *testing.T) {
		got, err := db.ListRuns(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(runs) {
			t.Fatalf("ListRuns returned %d runs, want %d", len(got), len(runs))
		}
		for i := range runs {
			checkRun(t, got[i], runs[i])
		}
	})

	for _, tc := range []struct {
		name, ref string
		want      experiment.Run
	}{
		{"Latest", "latest", c},
		{"EmptyIsLatest", "", c},
		{"LatestIgnoresCaseAndSpace", "  LATEST\n", c},
		{"NumericID", "1", a},
		{"NumericIDOfMiddleRun", "2", b},
		{"FullUUID", b.UUID, b},
		{"FullUUIDUpperCase", strings.ToUpper(a.UUID), a},
		{"UniquePrefix", c.UUID[:13], c},
		{"UniquePrefixOfSharedStem", "0a1b2c3d-0000-7000-8000-0000000000b", b},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.FindRun(ctx, tc.ref)
			if err != nil {
				t.Fatalf("FindRun(%q): %v", tc.ref, err)
			}
			checkRun(t, got, tc.want)
		})
	}

	for _, tc := range []struct {
		name, ref, wantText string
	}{
		{"ErrRunNotFound/AmbiguousPrefix", "0a1b2c3d", "matches more than one run"},
		{"ErrRunNotFound/AmbiguousPrefixWithHyphen", "0a1b2c3d-0000", "matches more than one run"},
		{"ErrRunNotFound/MissingID", "999", "no run has id 999"},
		{"ErrRunNotFound/ZeroID", "0", "no run has id 0"},
		{"ErrRunNotFound/NegativeID", "-1", "no run"},
		{"ErrRunNotFound/MissingUUID", "ffffffff-", "no run"},
		{"ErrRunNotFound/LikeWildcardPercent", "%", "no run"},
		{"ErrRunNotFound/LikeWildcardUnderscore", "0a1b2c3d_0000", "no run"},
		{"ErrRunNotFound/Backslash", `0a1b\`, "no run"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.FindRun(ctx, tc.ref)
			if !errors.Is(err, ErrRunNotFound) {
				t.Fatalf("FindRun(%q) = run %d, %v; want ErrRunNotFound", tc.ref, got.ID, err)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q does not contain %q", err, tc.wantText)
			}
		})
	}
}

func TestFindRunEmptyDatabase(t *testing.T) {
	db, _ := openTestDB(t)
	for _, tc := range []struct{ name, ref string }{
		{"ErrRunNotFound/Latest", "latest"},
		{"ErrRunNotFound/Empty", ""},
		{"ErrRunNotFound/ID", "1"},
		{"ErrRunNotFound/Prefix", "01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := db.FindRun(context.Background(), tc.ref); !errors.Is(err, ErrRunNotFound) {
				t.Errorf("FindRun(%q) error = %v, want ErrRunNotFound", tc.ref, err)
			}
		})
	}
	t.Run("ListRunsEmpty", func(t *testing.T) {
		runs, err := db.ListRuns(context.Background())
		if err != nil || len(runs) != 0 {
			t.Errorf("ListRuns = %v, %v; want none", runs, err)
		}
	})
}

// TestFindRunDigitOnlyPrefix: a UUIDv7 prefix can be all digits (every UUID
// made from June 2024 to December 2025 starts with "0190".."0199"). FindRun
// tries a digits-only ref of MinUUIDPrefix or more characters as a UUID
// prefix when no run has it as its id; shorter ones stay ids.
func TestFindRunDigitOnlyPrefix(t *testing.T) {
	db, _ := openTestDB(t)
	p := testPlan(t)
	r := testRun(t, p, fullHost(), t0)
	r.UUID = "01958031-0000-7000-8000-000000000001"
	createTestRun(t, db, p, &r, nil)
	got, err := db.FindRun(context.Background(), "01958031")
	if err != nil || got.ID != r.ID {
		t.Errorf("FindRun(%q) with one run whose UUID is %s = run %d, %v; want run %d",
			"01958031", r.UUID, got.ID, err, r.ID)
	}
	if _, err := db.FindRun(context.Background(), "0195"); !errors.Is(err, ErrRunNotFound) {
		t.Errorf("FindRun(\"0195\") = %v, want ErrRunNotFound: short digit refs are ids", err)
	}
}
