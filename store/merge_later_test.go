package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// laterContent gives the first run of the file at path what migrations 9
// and 10 added, with values that are not their defaults: hooks and a
// cleanup status, trials of two processes with a conclude status, and
// three skipped trials linked to their cells. It returns the run's UUID.
func laterContent(tb testing.TB, path string) string {
	tb.Helper()
	const run = `(SELECT min(id) FROM runs)`
	execRaw(tb, path,
		`UPDATE runs SET process_invocations = 2, hooks = '{"prepare":["true"]}', cleanup_status = 3 WHERE id = `+run,
		`UPDATE trials SET invocation = seq % 2, conclude_status = seq % 5 WHERE run_id = `+run,
		`INSERT INTO skipped_trials (run_id, cell_id, seq, rep, warmup, prepare_status, reason)
		 SELECT run_id, cell_id, seq + 1000, rep, warmup, 3, 'prepare failed (exit 3): seq ' || seq
		 FROM trials WHERE run_id = `+run+` AND seq < 3`)
	var uuid string
	if err := rawDB(tb, path).QueryRow(`SELECT uuid FROM runs WHERE id = ` + run).Scan(&uuid); err != nil {
		tb.Fatal(err)
	}
	return uuid
}

// laterRows returns, for the run with uuid in the file at path, the
// values of the columns and rows migrations 9 and 10 added, with links
// by id replaced by what they name (a cell by its idx), so that two files
// can be compared whatever their ids.
func laterRows(tb testing.TB, path, uuid string) string {
	tb.Helper()
	sdb := rawDB(tb, path)
	var out []string
	for _, q := range []string{
		`SELECT process_invocations || ' ' || coalesce(hooks, 'NULL') || ' ' || coalesce(cleanup_status, 'NULL') FROM runs WHERE uuid = ?`,
		`SELECT coalesce(group_concat(t.seq || ':' || t.invocation || ':' || coalesce(t.conclude_status, 'NULL'), ' '), '')
		 FROM (SELECT t.* FROM trials t JOIN runs r ON r.id = t.run_id WHERE r.uuid = ? ORDER BY t.seq) t`,
		`SELECT coalesce(group_concat(s.seq || ':' || c.idx || ':' || s.rep || ':' || s.warmup || ':' || s.prepare_status || ':' || s.reason, ' | '), '')
		 FROM (SELECT s.* FROM skipped_trials s JOIN runs r ON r.id = s.run_id WHERE r.uuid = ? ORDER BY s.seq) s
		 JOIN cells c ON c.id = s.cell_id AND c.run_id = s.run_id`,
	} {
		var v string
		if err := sdb.QueryRow(q, uuid).Scan(&v); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
		out = append(out, v)
	}
	return strings.Join(out, "\n")
}

// TestMergeCarriesLaterTables: exp merge copies what migrations 9 and 10
// added (skipped_trials with their cells, trials.invocation and
// conclude_status, runs.process_invocations, hooks and cleanup_status),
// by both of its ways of copying, into a file whose ids differ; the copy
// has the input's digest; and a run whose skipped trials differ is a
// conflict.
func TestMergeCarriesLaterTables(t *testing.T) {
	ctx := context.Background()
	in, _ := mergeSource(t, "in.db", 3, "")
	uuid := laterContent(t, in)
	want := laterRows(t, in, uuid)
	other, _ := mergeSource(t, "other.db", 2, "")
	for _, attach := range []int{8, 0} {
		t.Run(fmt.Sprintf("maxAttached=%d", attach), func(t *testing.T) {
			defer func(old int) { maxAttached = old }(maxAttached)
			maxAttached = attach
			out := filepath.Join(t.TempDir(), "out.db")
			// Something in out first, so that ids are shifted.
			for _, src := range []string{other, in} {
				if _, err := Merge(ctx, out, []string{src}, nil); err != nil {
					t.Fatal(err)
				}
			}
			if got := laterRows(t, out, uuid); got != want {
				t.Errorf("merged rows:\n%s\nwant the input's:\n%s", got, want)
			}
			if got, want := digests(t, out)[uuid], digests(t, in)[uuid]; got != want {
				t.Errorf("merged run's digest %s, the input's %s", got, want)
			}
			changed := copyFile(t, in, "changed.db")
			execRaw(t, changed, `UPDATE skipped_trials SET reason = 'other' WHERE seq = 1001`)
			if _, err := Merge(ctx, out, []string{changed}, nil); !errors.Is(err, ErrRunConflict) || !strings.Contains(err.Error(), "skipped_trials seq 1001: reason") {
				t.Errorf("merging a run whose skipped trial changed = %v, want ErrRunConflict naming skipped_trials seq 1001", err)
			}
		})
	}
}
