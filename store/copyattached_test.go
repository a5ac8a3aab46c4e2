package store

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
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
