package store

import (
	"context"
	"database/sql"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/host"
)

// TestRoundTrip writes a whole run (every planned trial, warmups, a failed
// trial, trials with and without load, with and without worker rows),
// finishes it, and reads everything back.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	finished := time.Date(2025, 3, 14, 16, 0, 0, 999_999_999, time.UTC)
	db.Now = func() time.Time { return finished }
	p := testPlan(t)
	oracle := experiment.DigestOf([]uint64{2, 3, 5, 7, 11})
	refs := map[experiment.Range]experiment.Reference{p.Cells[0].Range: {Digest: oracle, Source: experiment.SourceOracle}} // range 1: no oracle
	run := testRun(t, p, fullHost(), t0)
	rec := createTestRun(t, db, p, &run, refs)
	if run.ID == 0 || rec.RunID != run.ID {
		t.Fatalf("run.ID = %d, Recorder.RunID = %d; want equal and nonzero", run.ID, rec.RunID)
	}
	if rec.DBPath() != db.Path() {
		t.Errorf("DBPath = %q, want %q", rec.DBPath(), db.Path())
	}

	var trials []experiment.Trial
	for i, st := range p.Steps {
		tr := makeTrial(p, st, i)
		switch i {
		case 5:
			tr.OK, tr.Mismatch = false, "found 4 hits (checksum 0123456789ab) but the oracle reference has 5 (checksum abcdef012345)"
		case 7:
			tr.Workers = nil // a trial whose per-worker rows were not recorded
		}
		if err := rec.AddTrial(ctx, tr); err != nil {
			t.Fatalf("AddTrial %d: %v", i, err)
		}
		trials = append(trials, tr)
	}
	if err := rec.Finish(experiment.StatusDone, ""); err != nil {
		t.Fatal(err)
	}

	want := run
	want.Status, want.FinishedAt, want.Trials = experiment.StatusDone, finished, len(p.Steps)

	t.Run("ListRuns", func(t *testing.T) {
		runs, err := db.ListRuns(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 1 {
			t.Fatalf("ListRuns returned %d runs, want 1", len(runs))
		}
		checkRun(t, runs[0], want)
	})

	t.Run("FindRunLatest", func(t *testing.T) {
		got, err := db.FindRun(ctx, "latest")
		if err != nil {
			t.Fatal(err)
		}
		checkRun(t, got, want)
	})

	t.Run("Cells", func(t *testing.T) {
		got, err := db.Cells(ctx, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(p.Cells) {
			t.Fatalf("got %d cells, want %d", len(got), len(p.Cells))
		}
		for i, c := range p.Cells {
			var exp *experiment.Digest
			if c.RangeIndex == 0 {
				exp = &oracle
			}
			if w := (StoredCell{Cell: c, Expected: exp}); !reflect.DeepEqual(got[i], w) {
				t.Errorf("cell %d = %+v (expected %v), want %+v (expected %v)", i, got[i], got[i].Expected, w, w.Expected)
			}
		}
	})

	t.Run("Trials", func(t *testing.T) {
		got, err := db.Trials(ctx, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkTrials(t, got, trials)
	})

	t.Run("NullColumns", func(t *testing.T) {
		for _, tc := range []struct {
			query string
			want  int64
		}{
			{`SELECT count(*) FROM cells WHERE expected_primes IS NULL AND expected_checksum IS NULL`, int64(len(p.Cells) / 2)},
			{`SELECT count(*) FROM trials WHERE load1 IS NULL`, int64((len(p.Steps) + 1) / 2)},
			{`SELECT count(*) FROM trials WHERE mismatch IS NULL`, int64(len(p.Steps) - 1)},
			{`SELECT count(*) FROM trials WHERE warmup = 1`, int64(len(p.Cells) * p.Config.Warmup)},
			{`SELECT count(*) FROM runs WHERE error IS NULL AND finished_at IS NOT NULL`, 1},
		} {
			if n := queryInt(t, db.SQL(), tc.query); n != tc.want {
				t.Errorf("%s = %d, want %d", tc.query, n, tc.want)
			}
		}
	})

	t.Run("TrialFactsInSeconds", func(t *testing.T) {
		rows, err := db.SQL().QueryContext(ctx, `
			SELECT run_id, run_uuid, run_name, range_start, range_count, schedule, workers, seq, rep, warmup,
				wall_s, user_s, sys_s, load1, primes, ok
			FROM trial_facts ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		i := 0
		for ; rows.Next(); i++ {
			var (
				runID                int64
				uuid, name, schedule string
				start, count         int64
				workers, seq, rep    int
				warmup, ok           bool
				wallS, userS, sysS   float64
				load                 sql.NullFloat64
				primes               int64
			)
			if err := rows.Scan(&runID, &uuid, &name, &start, &count, &schedule, &workers, &seq, &rep, &warmup,
				&wallS, &userS, &sysS, &load, &primes, &ok); err != nil {
				t.Fatal(err)
			}
			tr := trials[i]
			c := p.Cells[tr.Cell]
			if runID != run.ID || uuid != run.UUID || name != run.Name || seq != tr.Seq || rep != tr.Rep || warmup != tr.Warmup ||
				uint64(start) != c.Range.Start || uint64(count) != c.Range.Count || schedule != string(c.Schedule) || workers != c.Workers ||
				load.Valid != tr.HasLoad || uint64(primes) != tr.Hits || ok != tr.OK {
				t.Errorf("row %d does not match trial %+v", i, tr)
			}
			for _, s := range []struct {
				name string
				got  float64
				ns   int64
			}{{"wall_s", wallS, tr.WallNS}, {"user_s", userS, tr.UserNS}, {"sys_s", sysS, tr.SysNS}} {
				if want := float64(s.ns) / 1e9; s.got != want {
					t.Errorf("row %d %s = %v, want %d/1e9 = %v", i, s.name, s.got, s.ns, want)
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if i != len(trials) {
			t.Errorf("trial_facts has %d rows, want %d", i, len(trials))
		}
	})
}

// TestHostRoundTrip checks every Host field, including the nullable ones:
// CgroupCPULimit 0 and CPUGovernor "" are stored as NULL and read back as
// zero values.
func TestHostRoundTrip(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		host      host.Host
		wantNulls int64 // of cgroup_cpu_limit and cpu_governor
	}{
		{"FullHostStoresValues", fullHost(), 0},
		{"ZeroFieldsStoreNULL", bareHost(), 2},
		{"NegativeCgroupStoresNULL", func() host.Host { h := fullHost(); h.CgroupCPULimit = -1; return h }(), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			p := testPlan(t)
			run := testRun(t, p, tc.host, t0)
			createTestRun(t, db, p, &run, nil)
			n := queryInt(t, db.SQL(), `SELECT (cgroup_cpu_limit IS NULL) + (cpu_governor IS NULL) FROM runs WHERE id = ?`, run.ID)
			if n != tc.wantNulls {
				t.Errorf("%d NULLs among cgroup_cpu_limit and cpu_governor, want %d", n, tc.wantNulls)
			}
			got, err := db.FindRun(ctx, run.UUID)
			if err != nil {
				t.Fatal(err)
			}
			wantHost := tc.host
			if wantHost.CgroupCPULimit < 0 {
				wantHost.CgroupCPULimit = 0
			}
			if got.Host != wantHost {
				t.Errorf("Host = %+v, want %+v", got.Host, wantHost)
			}
			want := run
			want.Host = wantHost
			checkRun(t, got, want)
		})
	}
}

// TestCreateRunReferences checks which references become expected_primes and
// expected_checksum: only oracle ones; zero, first-trial and missing ones
// store NULL.
func TestCreateRunReferences(t *testing.T) {
	ctx := context.Background()
	d0 := experiment.DigestOf([]uint64{2, 3, 5})
	d1 := experiment.DigestOf([]uint64{1009, 1013})
	r0, r1 := experiment.Range{Start: 1, Count: 100}, experiment.Range{Start: 1000, Count: 50} // testYAML's ranges
	type refs = map[experiment.Range]experiment.Reference
	for _, tc := range []struct {
		name string
		refs refs
		want []*experiment.Digest // per range
	}{
		{"NilRefsStoreNULL", nil, []*experiment.Digest{nil, nil}},
		{"BothOracle", refs{r0: {Digest: d0, Source: experiment.SourceOracle}, r1: {Digest: d1, Source: experiment.SourceOracle}}, []*experiment.Digest{&d0, &d1}},
		{"ZeroRefStoresNULL", refs{r0: {Digest: d0, Source: experiment.SourceOracle}, r1: {}}, []*experiment.Digest{&d0, nil}},
		{"FirstTrialStoresNULL", refs{r0: {Digest: d0, Source: experiment.SourceFirstTrial}, r1: {Digest: d1, Source: experiment.SourceOracle}}, []*experiment.Digest{nil, &d1}},
		{"MissingRefStoresNULL", refs{r0: {Digest: d0, Source: experiment.SourceOracle}}, []*experiment.Digest{&d0, nil}},
		{"OtherRangeIgnored", refs{{Start: 1, Count: 200}: {Digest: d0, Source: experiment.SourceOracle}}, []*experiment.Digest{nil, nil}},
		{"ZeroHitOracleStored", refs{r0: {Digest: experiment.DigestOf(nil), Source: experiment.SourceOracle}}, []*experiment.Digest{ptr(experiment.DigestOf(nil)), nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			p := testPlan(t)
			run := testRun(t, p, fullHost(), t0)
			createTestRun(t, db, p, &run, tc.refs)
			cells, err := db.Cells(ctx, run.ID)
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range cells {
				if w := tc.want[c.RangeIndex]; !reflect.DeepEqual(c.Expected, w) {
					t.Errorf("cell %d (range %d): Expected = %v, want %v", i, c.RangeIndex, c.Expected, w)
				}
			}
		})
	}
}

// TestCreateRunWeakScaling: under weak scaling each cell stores the range it
// tests (count x workers) beside the file's range index, and the oracle
// answer for that tested range; the run stores its scaling.
func TestCreateRunWeakScaling(t *testing.T) {
	ctx := context.Background()
	c, err := experiment.Parse("weak.yaml", []byte("name: weak\nscaling: weak\nranges: [{start: 1, count: 10}]\nworkers: [1, 2, 4]\nrepeats: 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := experiment.NewPlan(c, 1)
	refs, err := experiment.ReferencesProgress(ctx, experiment.Primes{}, p.Ranges(), nil)
	if err != nil {
		t.Fatal(err)
	}
	db, _ := openTestDB(t)
	run := testRun(t, p, fullHost(), t0)
	createTestRun(t, db, p, &run, refs)
	cells, err := db.Cells(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	primes := map[int]uint64{1: 4, 2: 8, 4: 12} // in [1, 11), [1, 21), [1, 41)
	for i, sc := range cells {
		want := experiment.Range{Start: 1, Count: 10 * uint64(sc.Workers)}
		if sc.Cell != p.Cells[i] || sc.RangeIndex != 0 || sc.Range != want || sc.Expected == nil || *sc.Expected != refs[want].Digest ||
			sc.Expected.Hits != primes[sc.Workers] {
			t.Errorf("cell %d = %+v with expected %v; want range %v with %d primes", i, sc.Cell, sc.Expected, want, primes[sc.Workers])
		}
	}
	if got, err := db.FindRun(ctx, "latest"); err != nil || got.Scaling != "weak" || !got.CPUBound {
		t.Errorf("FindRun = Scaling %q, CPUBound %v, %v; want weak, true", got.Scaling, got.CPUBound, err)
	}
}

func ptr[T any](v T) *T { return &v }

// TestAddTrialCommitsEachTrial checks that a trial is visible to another
// connection as soon as AddTrial returns, before the run is finished.
func TestAddTrialCommitsEachTrial(t *testing.T) {
	ctx := context.Background()
	db, path := openTestDB(t)
	p := testPlan(t)
	run := testRun(t, p, fullHost(), t0)
	rec := createTestRun(t, db, p, &run, nil)
	other := rawDB(t, path)
	if n := queryInt(t, other, `SELECT count(*) FROM cells WHERE run_id = ?`, run.ID); n != int64(len(p.Cells)) {
		t.Fatalf("other connection sees %d cells after CreateRun, want %d", n, len(p.Cells))
	}
	for i, st := range p.Steps[:3] {
		tr := makeTrial(p, st, i)
		if err := rec.AddTrial(ctx, tr); err != nil {
			t.Fatal(err)
		}
		if n := queryInt(t, other, `SELECT count(*) FROM trials WHERE run_id = ?`, run.ID); n != int64(i+1) {
			t.Errorf("after trial %d another connection sees %d trials, want %d", i, n, i+1)
		}
		if n := queryInt(t, other, `SELECT count(*) FROM trial_workers w JOIN trials t ON t.id = w.trial_id WHERE t.seq = ?`, st.Seq); n != int64(len(tr.Workers)) {
			t.Errorf("after trial %d another connection sees %d worker rows, want %d", i, n, len(tr.Workers))
		}
	}
	var status string
	var finished sql.NullString
	if err := other.QueryRow(`SELECT status, finished_at FROM runs WHERE id = ?`, run.ID).Scan(&status, &finished); err != nil {
		t.Fatal(err)
	}
	if status != "running" || finished.Valid {
		t.Errorf("unfinished run: status %q finished_at %v, want running and NULL", status, finished)
	}
}

// TestAddTrialErrors checks that a rejected trial leaves no row behind, not
// even its per-worker rows.
func TestAddTrialErrors(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	p := testPlan(t)
	run := testRun(t, p, fullHost(), t0)
	rec := createTestRun(t, db, p, &run, nil)
	first := makeTrial(p, p.Steps[0], 0)
	if err := rec.AddTrial(ctx, first); err != nil {
		t.Fatal(err)
	}
	withCell := func(tr experiment.Trial, cell int) experiment.Trial { tr.Cell = cell; tr.Seq = 100 + cell; return tr }
	dup := makeTrial(p, p.Steps[1], 1)
	dup.Seq = first.Seq
	dup.Workers = append(dup.Workers, experiment.WorkerStat{BusyNS: 1}, experiment.WorkerStat{BusyNS: 2}, experiment.WorkerStat{BusyNS: 3})
	for _, tc := range []struct {
		name    string
		trial   experiment.Trial
		wantErr string
	}{
		{"ErrNegativeCell", withCell(first, -1), "cell -1 not in run"},
		{"ErrCellPastEnd", withCell(first, len(p.Cells)), "not in run"},
		{"ErrDuplicateSeq", dup, "UNIQUE constraint failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := rec.AddTrial(ctx, tc.trial)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("AddTrial error = %v, want one containing %q", err, tc.wantErr)
			}
			if n := queryInt(t, db.SQL(), `SELECT count(*) FROM trials`); n != 1 {
				t.Errorf("%d trials stored, want 1", n)
			}
			if n := queryInt(t, db.SQL(), `SELECT count(*) FROM trial_workers`); n != int64(len(first.Workers)) {
				t.Errorf("%d worker rows stored, want %d", n, len(first.Workers))
			}
		})
	}

	t.Run("CommitsWithCancelledContext", func(t *testing.T) {
		// A finished trial is kept even when Ctrl-C came during its write.
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := rec.AddTrial(cctx, makeTrial(p, p.Steps[2], 2)); err != nil {
			t.Errorf("AddTrial with a cancelled context = %v, want the trial stored", err)
		}
		if n := queryInt(t, db.SQL(), `SELECT count(*) FROM trials`); n != 2 {
			t.Errorf("%d trials stored, want 2", n)
		}
	})
}

func TestFinish(t *testing.T) {
	ctx := context.Background()
	finished := time.Date(2025, 3, 14, 16, 0, 0, 123_456_789, time.FixedZone("CET", 3600))
	for _, tc := range []struct {
		name      string
		status    experiment.Status
		msg       string
		wantErr   bool
		wantError sql.NullString // runs.error
	}{
		{"Done", experiment.StatusDone, "", false, sql.NullString{}},
		{"FailedKeepsMessage", experiment.StatusFailed, "trial 3: found 4 hits but the oracle reference has 5", false, sql.NullString{String: "trial 3: found 4 hits but the oracle reference has 5", Valid: true}},
		{"InterruptedKeepsMessage", experiment.StatusInterrupted, "interrupted after 3 of 24 trials", false, sql.NullString{String: "interrupted after 3 of 24 trials", Valid: true}},
		{"ErrUnknownStatus", experiment.Status("bogus"), "", true, sql.NullString{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			db.Now = func() time.Time { return finished }
			p := testPlan(t)
			run := testRun(t, p, fullHost(), t0)
			rec := createTestRun(t, db, p, &run, nil)
			err := rec.Finish(tc.status, tc.msg)
			if tc.wantErr {
				if err == nil {
					t.Fatal("Finish succeeded")
				}
				got, err := db.FindRun(ctx, "latest")
				if err != nil {
					t.Fatal(err)
				}
				if got.Status != experiment.StatusRunning || !got.FinishedAt.IsZero() {
					t.Errorf("after a failed Finish: status %q, finished %v; want running, zero", got.Status, got.FinishedAt)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var raw string
			var rawErr sql.NullString
			if err := db.SQL().QueryRow(`SELECT finished_at, error FROM runs WHERE id = ?`, run.ID).Scan(&raw, &rawErr); err != nil {
				t.Fatal(err)
			}
			if want := "2025-03-14T15:00:00.123456Z"; raw != want {
				t.Errorf("finished_at = %q, want %q (UTC, microseconds)", raw, want)
			}
			if rawErr != tc.wantError {
				t.Errorf("error column = %+v, want %+v", rawErr, tc.wantError)
			}
			want := run
			want.Status, want.FinishedAt, want.Error = tc.status, finished, tc.msg
			got, err := db.FindRun(ctx, "latest")
			if err != nil {
				t.Fatal(err)
			}
			checkRun(t, got, want)
		})
	}
}

// newBenchRecorder opens a database and creates a run to add trials to.
func newBenchRecorder(tb testing.TB) (*Recorder, *experiment.Plan) {
	tb.Helper()
	db, _ := openTestDB(tb)
	p := testPlan(tb)
	run := testRun(tb, p, fullHost(), t0)
	return createTestRun(tb, db, p, &run, nil), p
}

// BenchmarkAddTrial measures committing one trial with its worker rows to a
// real file: the write path of every measured trial.
func BenchmarkAddTrial(b *testing.B) {
	rec, p := newBenchRecorder(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		st := p.Steps[i%len(p.Steps)]
		st.Seq = i
		if err := rec.AddTrial(ctx, makeTrial(p, st, i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "trials/s")
}
