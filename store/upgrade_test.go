package store

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/migrations"
)

// insertOldRun adds a run with 0001_init's columns only, as an exp from
// before 0002_scaling wrote it.
const insertOldRun = `INSERT INTO runs (uuid, name, status, started_at, config_path, config_yaml, config_sha256,
	seed, kernel, repeats, warmup, chunk, exp_version, vcs_revision, vcs_modified, go_version,
	os, arch, hostname, cpu_model, num_cpu, gomaxprocs, kernel_release)
	VALUES ('01890a5d-ac96-774b-bcce-b302099a8099', 'old', 'done', '2024-01-01T00:00:00.000000Z', 'e.yaml', 'name: old', 'abc',
	1, 'primes', 10, 1, 8, 'v0.1.0', '48aa839', 0, 'go1.22.0', 'linux', 'amd64', 'h', 'cpu', 2, 2, '6.1.0')`

// oldDatabase writes a database with only the named migrations applied
// (the first ones, as an older exp knew them), holding one run, and
// returns its path.
func oldDatabase(tb testing.TB, names ...string) string {
	tb.Helper()
	migs := fstest.MapFS{}
	for _, n := range names {
		b, err := fs.ReadFile(migrations.FS, n)
		if err != nil {
			tb.Fatal(err)
		}
		migs[n] = mig(string(b))
	}
	path := filepath.Join(tb.TempDir(), "old.db")
	db, err := open(context.Background(), path, migs, true)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if _, err := db.SQL().Exec(insertOldRun); err != nil {
		tb.Fatal(err)
	}
	return path
}

// checkOldRun fails unless db holds the old run, read back as strong
// scaling of a CPU-bound kernel that reproduces no run, at schema version
// want.
func checkOldRun(tb testing.TB, db *DB, want int) {
	tb.Helper()
	ctx := context.Background()
	if v, err := db.SchemaVersion(ctx); err != nil || v != want {
		tb.Errorf("SchemaVersion = %d, %v; want %d", v, err, want)
	}
	runs, err := db.ListRuns(ctx)
	if err != nil || len(runs) != 1 {
		tb.Fatalf("ListRuns = %+v, %v; want the old run", runs, err)
	}
	r, err := db.FindRun(ctx, "latest")
	if err != nil || r != runs[0] {
		tb.Errorf("FindRun(latest) = %+v, %v; want %+v", r, err, runs[0])
	}
	if r.Name != "old" || r.Kernel != "primes" || r.Scaling != experiment.ScalingStrong || !r.CPUBound || r.Reproduces != "" {
		tb.Errorf("old run = %q kernel %q scaling %q cpu_bound %v reproduces %q; want old, primes, strong, true, none",
			r.Name, r.Kernel, r.Scaling, r.CPUBound, r.Reproduces)
	}
	if found, err := db.Reproductions(ctx, r.UUID); err != nil || len(found) != 0 {
		tb.Errorf("Reproductions(old run) = %+v, %v; want none", found, err)
	}
}

// TestUpgradeFrom0001: a database written by an exp that knew only
// 0001_init is upgraded when opened for writing or for reading, and its
// runs read back as strong scaling of a CPU-bound kernel (the column
// defaults). A write-protected one is read as it is, unchanged.
func TestUpgradeFrom0001(t *testing.T) {
	ctx := context.Background()
	for _, op := range []struct {
		name string
		open func(context.Context, string) (*DB, error)
	}{{"Open", Open}, {"OpenExistingForWrite", OpenExistingForWrite}} {
		t.Run(op.name+"Upgrades", func(t *testing.T) {
			path := oldDatabase(t, "0001_init.sql")
			db, err := op.open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			checkOldRun(t, db, currentVersion)
			for _, bad := range []string{`UPDATE runs SET scaling = 'diagonal'`, `UPDATE runs SET cpu_bound = 2`} {
				if _, err := db.SQL().Exec(bad); err == nil || !strings.Contains(err.Error(), "CHECK constraint failed") {
					t.Errorf("%s: %v, want a CHECK failure", bad, err)
				}
			}
		})
	}

	t.Run("ReaderReadsAsItIs", func(t *testing.T) {
		path := oldDatabase(t, "0001_init.sql")
		before := fileSum(t, path)
		db, err := OpenExisting(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		checkOldRun(t, db, 1)
		db.Close()
		if fileSum(t, path) != before {
			t.Error("reading an old file changed it")
		}
	})
}

// TestRunScalingRoundTrip stores every combination of Run.Scaling and
// Run.CPUBound; an empty Scaling (a hand-built Run) is stored as strong.
func TestRunScalingRoundTrip(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	p := testPlan(t)
	for i, tc := range []struct {
		scaling, want string
		cpuBound      bool
	}{
		{"strong", "strong", true}, {"weak", "weak", true}, {"strong", "strong", false}, {"weak", "weak", false}, {"", "strong", true},
	} {
		run := testRun(t, p, fullHost(), t0)
		run.UUID = fmt.Sprintf("01890a5d-ac96-774b-bcce-b302099a80%02d", i)
		run.Scaling, run.CPUBound = tc.scaling, tc.cpuBound
		createTestRun(t, db, p, &run, nil)
		got, err := db.FindRun(ctx, run.UUID)
		if err != nil || got.Scaling != tc.want || got.CPUBound != tc.cpuBound {
			t.Errorf("run with Scaling %q, CPUBound %v read back as %q, %v (%v); want %q", tc.scaling, tc.cpuBound, got.Scaling, got.CPUBound, err, tc.want)
		}
	}
}

// TestUpgradeFrom0002: a database written by an exp that knew 0001_init and
// 0002_scaling gains the reproduces column when opened for writing or for
// reading; its run reproduces none, and a new run may reproduce it. A
// write-protected one is read as it is, unchanged.
func TestUpgradeFrom0002(t *testing.T) {
	ctx := context.Background()
	const oldUUID = "01890a5d-ac96-774b-bcce-b302099a8099" // insertOldRun's
	for _, op := range []struct {
		name string
		open func(context.Context, string) (*DB, error)
	}{{"Open", Open}, {"OpenExistingForWrite", OpenExistingForWrite}} {
		t.Run(op.name+"Upgrades", func(t *testing.T) {
			path := oldDatabase(t, "0001_init.sql", "0002_scaling.sql")
			db, err := op.open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			checkOldRun(t, db, currentVersion)
			p := testPlan(t)
			run := testRun(t, p, fullHost(), t0)
			run.Reproduces = oldUUID
			createTestRun(t, db, p, &run, nil)
			found, err := db.Reproductions(ctx, oldUUID)
			if err != nil || len(found) != 1 || found[0].ID != run.ID || found[0].Reproduces != oldUUID {
				t.Errorf("Reproductions(old run) = %+v, %v; want the new run", found, err)
			}
		})
	}

	t.Run("ReaderReadsAsItIs", func(t *testing.T) {
		path := oldDatabase(t, "0001_init.sql", "0002_scaling.sql")
		before := fileSum(t, path)
		db, err := OpenExisting(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		checkOldRun(t, db, 2)
		if c, err := db.Counts(ctx, 1); err != nil || c != (RunCounts{}) {
			t.Errorf("Counts(old run) = %+v, %v; want zeros", c, err)
		}
		db.Close()
		if fileSum(t, path) != before {
			t.Error("reading an old file changed it")
		}
	})
}

// TestUpgradeFrom0003: a database from an exp before 0004_invocations gains
// run_invocations, with each old run's starting invocation (its host, times
// and trials), and runs.heartbeat_at, NULL for old runs: an old run left
// running reads as abandoned. A write-protected one is read as it is, each
// run with one invocation.
func TestUpgradeFrom0003(t *testing.T) {
	ctx := context.Background()
	names := []string{"0001_init.sql", "0002_scaling.sql", "0003_reproduces.sql"}
	addTrials := func(t *testing.T, path string) {
		t.Helper()
		execRaw(t, path,
			`INSERT INTO cells (run_id, idx, range_idx, range_start, range_count, schedule, workers) VALUES (1, 0, 0, 1, 10, 'static', 1)`,
			`INSERT INTO trials (run_id, cell_id, seq, rep, warmup, started_at, wall_ns, user_ns, sys_ns, primes, checksum, ok)
				VALUES (1, 1, 0, 0, 0, '2024-01-01T00:00:01.000000Z', 5, 5, 0, 4, 'x', 1), (1, 1, 1, 1, 0, '2024-01-01T00:00:02.000000Z', 5, 5, 0, 4, 'x', 1)`)
	}
	t.Run("OpenUpgrades", func(t *testing.T) {
		path := oldDatabase(t, names...)
		addTrials(t, path)
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		invs, err := db.Invocations(ctx, 1)
		want := experiment.Invocation{Kind: experiment.InvocationStart, StartedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Hostname: "h", Trials: 2}
		if err != nil || len(invs) != 1 || invs[0] != want {
			t.Errorf("Invocations = %+v, %v; want %+v", invs, err, want)
		}
		r, err := db.FindRun(ctx, "1")
		if err != nil || r.Invocations != 1 || !r.HeartbeatAt.IsZero() || r.Status != experiment.StatusDone {
			t.Errorf("old run: %d invocations, heartbeat %v, %s (%v); want 1, none, done", r.Invocations, r.HeartbeatAt, r.Status, err)
		}
		execRaw(t, path, `UPDATE runs SET status = 'running', finished_at = NULL`)
		if r, err := db.FindRun(ctx, "1"); err != nil || r.Status != experiment.StatusAbandoned {
			t.Errorf("old run left running reads as %s (%v), want abandoned", r.Status, err)
		}
	})
	t.Run("ReaderReadsAsItIs", func(t *testing.T) {
		path := oldDatabase(t, names...)
		before := fileSum(t, path)
		db, err := OpenExisting(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		checkOldRun(t, db, 3)
		r, err := db.FindRun(ctx, "latest")
		if err != nil || r.Invocations != 1 || !r.HeartbeatAt.IsZero() {
			t.Errorf("old run: %d invocations, heartbeat %v (%v); want 1, none", r.Invocations, r.HeartbeatAt, err)
		}
		if invs, err := db.Invocations(ctx, r.ID); err != nil || invs != nil {
			t.Errorf("Invocations = %+v, %v; want none recorded", invs, err)
		}
		db.Close()
		if fileSum(t, path) != before {
			t.Error("reading an old file changed it")
		}
	})
}

// TestReaderBesideWAL: OpenExisting reads a file whose writer was killed
// with trials only in its WAL (a copy of a live writer's file and WAL): it
// sees them, and closing it, the last connection, neither checkpoints the
// WAL into the file nor removes it.
func TestReaderBesideWAL(t *testing.T) {
	ctx := context.Background()
	path, _, run, _ := writerWithWAL(t)
	killed := filepath.Join(t.TempDir(), "killed.db")
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(killed+suffix, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path = killed
	before, wal := fileSum(t, path), fileSum(t, path+"-wal")
	r, err := OpenExisting(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.FindRun(ctx, run.UUID)
	r.Close()
	if err != nil || got.Trials != 3 {
		t.Errorf("reader sees %d trials (%v), want the 3 in the WAL", got.Trials, err)
	}
	if fileSum(t, path) != before || fileSum(t, path+"-wal") != wal {
		t.Error("reading changed the file or its WAL")
	}
}
