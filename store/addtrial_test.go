package store

import (
	"context"
	"testing"

	"github.com/exp-tool/exp/experiment"
)

// TestAddTrialManyWorkers checks a trial with more per-worker rows than
// one INSERT takes (maxWorkerRows), and then one with fewer, through the
// same Recorder: every row comes back in order.
func TestAddTrialManyWorkers(t *testing.T) {
	rec, p := newBenchRecorder(t)
	ctx := context.Background()
	for i, n := range []int{2*maxWorkerRows + 7, 3} {
		tr := makeTrial(p, p.Steps[i], i)
		tr.Workers = nil
		for w := range n {
			tr.Workers = append(tr.Workers, experiment.WorkerStat{BusyNS: int64(w), Items: uint64(w + 1), Hits: uint64(w % 3)})
		}
		if err := rec.AddTrial(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	got, err := rec.db.Trials(ctx, rec.RunID)
	if err != nil || len(got) != 2 {
		t.Fatalf("Trials = %d, %v; want 2", len(got), err)
	}
	for i, n := range []int{2*maxWorkerRows + 7, 3} {
		ws := got[i].Workers
		if len(ws) != n {
			t.Fatalf("trial %d: %d workers, want %d", i, len(ws), n)
		}
		for w, s := range ws {
			if s.BusyNS != int64(w) || s.Items != uint64(w+1) || s.Hits != uint64(w%3) {
				t.Fatalf("trial %d worker %d = %+v", i, w, s)
			}
		}
	}
}
