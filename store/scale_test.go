package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/store"
	"github.com/exp-tool/exp/store/storetest"
)

// bigTrials is the size of the run the scale benchmarks read: big enough
// that per-row costs dominate, small enough to generate in a second or two.
const bigTrials = 100_000

// bigDB generates a database of spec in a temporary directory and opens it
// for reading.
func bigDB(tb testing.TB, spec storetest.Spec) *store.DB {
	tb.Helper()
	ctx := context.Background()
	path := filepath.Join(tb.TempDir(), "big.db")
	if err := storetest.Generate(ctx, path, spec); err != nil {
		tb.Fatal(err)
	}
	db, err := store.OpenExisting(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// TestEachTrialEqualsTrials checks that EachTrial reads every trial's
// fields it documents as Trials does, in chunks of any size (one trial,
// a size that does not divide the run, the default), and with gaps in the
// run's seqs, which the chunks' bounds must step over.
func TestEachTrialEqualsTrials(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "big.db")
	if err := storetest.Generate(ctx, path, storetest.Spec{Runs: 2, Cells: 16, Trials: 500, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	db, err := store.OpenExistingForWrite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check := func(t *testing.T) {
		want, err := db.Trials(ctx, 2)
		if err != nil {
			t.Fatal(err)
		}
		defer func(old int) { store.EachTrialChunk = old }(store.EachTrialChunk)
		for _, chunk := range []int{1, 7, store.EachTrialChunk} {
			store.EachTrialChunk = chunk
			i := 0
			err = db.EachTrial(ctx, 2, func(tr *experiment.Trial) error {
				w := want[i]
				if len(w.Workers) != 2 {
					t.Fatalf("trial %d: Trials read %d workers, want 2", i, len(w.Workers))
				}
				w.Rep = 0
				w = experiment.Trial{Step: w.Step, WallNS: w.WallNS, UserNS: w.UserNS, SysNS: w.SysNS, Digest: experiment.Digest{Hits: w.Hits},
					OK: w.OK, TimedOut: w.TimedOut, OtherCPUNS: w.OtherCPUNS, HasOtherCPU: w.HasOtherCPU}
				if !reflect.DeepEqual(*tr, w) {
					t.Fatalf("chunk %d, trial %d: EachTrial read %+v, Trials %+v", chunk, i, *tr, w)
				}
				i++
				return nil
			})
			if err != nil || i != len(want) {
				t.Fatalf("chunk %d: EachTrial: %d trials, %v; want %d", chunk, i, err, len(want))
			}
		}
	}
	t.Run("Dense", check)
	if _, err := db.SQL().ExecContext(ctx, `DELETE FROM trials WHERE run_id = 2 AND (seq % 5 = 1 OR seq BETWEEN 100 AND 160)`); err != nil {
		t.Fatal(err)
	}
	t.Run("Gaps", check)
}

// TestEachTrialStops checks that an error from fn stops EachTrial, which
// returns it as it is and leaves the database usable, and that a run
// without trials calls fn for none.
func TestEachTrialStops(t *testing.T) {
	db := bigDB(t, storetest.Spec{Runs: 2, Cells: 4, Trials: 100})
	ctx := context.Background()
	defer func(old int) { store.EachTrialChunk = old }(store.EachTrialChunk)
	store.EachTrialChunk = 8
	stop := errors.New("stop")
	n := 0
	err := db.EachTrial(ctx, 1, func(*experiment.Trial) error {
		if n++; n == 20 {
			return stop
		}
		return nil
	})
	if err != stop || n != 20 {
		t.Fatalf("EachTrial = %v after %d trials, want %v after 20", err, n, stop)
	}
	if trials, err := db.Trials(ctx, 2); err != nil || len(trials) != 100 {
		t.Fatalf("Trials after a stopped EachTrial: %d, %v", len(trials), err)
	}
	if err := db.EachTrial(ctx, 99, func(*experiment.Trial) error { return stop }); err != nil {
		t.Fatalf("EachTrial of a run without trials = %v", err)
	}
}

// BenchmarkEachTrial measures reading a run of bigTrials trials, as exp
// report does: in chunks, handed to fn one trial at a time.
func BenchmarkEachTrial(b *testing.B) {
	db := bigDB(b, storetest.Spec{Runs: 1, Cells: 16, Trials: bigTrials, Workers: 2})
	ctx := context.Background()
	for b.Loop() {
		n := 0
		if err := db.EachTrial(ctx, 1, func(*experiment.Trial) error { n++; return nil }); err != nil || n != bigTrials {
			b.Fatalf("EachTrial: %d trials, %v", n, err)
		}
	}
	b.ReportMetric(float64(bigTrials*b.N)/b.Elapsed().Seconds(), "trials/s")
}

// BenchmarkListRuns measures exp runs on a file of 10,000 runs.
func BenchmarkListRuns(b *testing.B) {
	const runs = 10_000
	db := bigDB(b, storetest.Spec{Runs: runs, Cells: 2, Trials: 4})
	ctx := context.Background()
	for b.Loop() {
		if got, err := db.ListRuns(ctx); err != nil || len(got) != runs {
			b.Fatalf("ListRuns: %d runs, %v", len(got), err)
		}
	}
}

// BenchmarkMerge measures exp merge of one input holding a run of
// bigTrials trials with 2 worker rows each into a new file, and reports
// trials/s.
func BenchmarkMerge(b *testing.B) {
	ctx := context.Background()
	in := filepath.Join(b.TempDir(), "in.db")
	if err := storetest.Generate(ctx, in, storetest.Spec{Runs: 1, Cells: 16, Trials: bigTrials, Workers: 2}); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	i := 0
	for b.Loop() {
		out := filepath.Join(dir, fmt.Sprintf("out%d.db", i))
		if _, err := store.Merge(ctx, out, []string{in}, nil); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(bigTrials*i)/b.Elapsed().Seconds(), "trials/s")
}
