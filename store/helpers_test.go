package store

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/host"
	"github.com/exp-tool/exp/migrations"
)

// testYAML is a small experiment: 2 ranges x 2 schedules x 2 worker counts
// = 8 cells, 1 warmup + 2 repeats each = 24 trials.
const testYAML = `name: store-test
seed: 7
repeats: 2
warmup: 1
kernel: primes
ranges:
  - {start: 1, count: 100}
  - {start: 1000, count: 50}
workers: [1, 2]
schedules: [chunked, static]
chunk: 4
`

// currentVersion is the highest migration in migrations/: the schema
// version of a new or upgraded file.
const currentVersion = 10

// migrationCount is how many migrations migrations/ holds: the rows of
// schema_migrations in a new or upgraded file. Versions may have gaps
// (another branch's migration, not merged yet), so it can be below
// currentVersion.
func migrationCount(tb testing.TB) int {
	tb.Helper()
	all, err := loadMigrations(migrations.FS)
	if err != nil {
		tb.Fatal(err)
	}
	return len(all)
}

// t0 has sub-microsecond digits on purpose: the store keeps microseconds.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)

// testPlan parses testYAML and expands it.
func testPlan(tb testing.TB) *experiment.Plan {
	tb.Helper()
	c, err := experiment.Parse("experiments.yaml", []byte(testYAML))
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return experiment.NewPlan(c, c.Seed)
}

// fullHost has every field set, including the nullable ones.
func fullHost() host.Host {
	return host.Host{
		ExpVersion: "v1.2.3", VCSRevision: "48aa839", VCSModified: true, GoVersion: "go1.26.8",
		OS: "linux", Arch: "amd64", Hostname: "bench-1", CPUModel: "Test CPU @ 3.00GHz",
		NumCPU: 8, GOMAXPROCS: 4, CgroupCPULimit: 1.5, CPUGovernor: "performance", KernelRelease: "6.1.0-18-amd64",
	}
}

// bareHost leaves the nullable fields at their zero values.
func bareHost() host.Host {
	h := fullHost()
	h.VCSModified, h.CgroupCPULimit, h.CPUGovernor = false, 0, ""
	return h
}

// testRun describes a run of p on h starting at now.
func testRun(tb testing.TB, p *experiment.Plan, h host.Host, now time.Time) experiment.Run {
	tb.Helper()
	r, err := experiment.NewRun(p, h, now)
	if err != nil {
		tb.Fatalf("NewRun: %v", err)
	}
	return r
}

// openTestDB opens a fresh database file in tb's temp dir with the real
// migrations, closed at cleanup. Its clock reads t0, so that the runs the
// tests start around t0 are fresh, not abandoned.
func openTestDB(tb testing.TB) (*DB, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "exp.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	db.Now = func() time.Time { return t0 }
	tb.Cleanup(func() { db.Close() })
	return db, path
}

// createTestRun inserts run into db for plan p with refs.
func createTestRun(tb testing.TB, db *DB, p *experiment.Plan, run *experiment.Run, refs map[experiment.Range]experiment.Reference) *Recorder {
	tb.Helper()
	rec, err := db.CreateRun(context.Background(), run, p, refs)
	if err != nil {
		tb.Fatalf("CreateRun: %v", err)
	}
	return rec
}

// makeTrial builds the i-th trial of a run from step st of p, with distinct
// values in every field and one WorkerStat per worker of the cell.
func makeTrial(p *experiment.Plan, st experiment.Step, i int) experiment.Trial {
	t := experiment.Trial{
		Step:      st,
		StartedAt: t0.Add(time.Duration(i)*time.Second + 123_456_789),
		WallNS:    1_234_567_890 + int64(i),
		UserNS:    2_000_000_000 + int64(i),
		SysNS:     30_000_000 + int64(i),
		Digest:    experiment.DigestOf([]uint64{2, 3, 5, 7, uint64(i)}),
		OK:        true,
	}
	if i%2 == 1 {
		t.Load1, t.HasLoad = 0.25*float64(i), true
	}
	for w := range p.Cells[st.Cell].Workers {
		t.Workers = append(t.Workers, experiment.WorkerStat{BusyNS: int64(1000*(w+1) + i), Items: uint64(10 + w + i), Hits: uint64(w + i)})
	}
	return t
}

// fileSum returns the hex SHA-256 of the file at path.
func fileSum(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read %s: %v", path, err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// exists reports whether path exists.
func exists(tb testing.TB, path string) bool {
	tb.Helper()
	_, err := os.Stat(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		tb.Fatalf("stat %s: %v", path, err)
	}
	return err == nil
}

// rawDB opens path with the plain driver, independent of the store.
func rawDB(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	sdb, err := sql.Open("sqlite", path)
	if err != nil {
		tb.Fatalf("sql.Open: %v", err)
	}
	tb.Cleanup(func() { sdb.Close() })
	return sdb
}

// execRaw runs statements on a throwaway connection to path and closes it.
func execRaw(tb testing.TB, path string, stmts ...string) {
	tb.Helper()
	sdb, err := sql.Open("sqlite", path)
	if err != nil {
		tb.Fatalf("sql.Open: %v", err)
	}
	defer sdb.Close()
	for _, s := range stmts {
		if _, err := sdb.Exec(s); err != nil {
			tb.Fatalf("%s: %v", s, err)
		}
	}
}

// queryInt returns the single integer result of query.
func queryInt(tb testing.TB, sdb *sql.DB, query string, args ...any) int64 {
	tb.Helper()
	var n int64
	if err := sdb.QueryRow(query, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

// us truncates t to the store's precision.
func us(t time.Time) time.Time { return t.Truncate(time.Microsecond) }

// checkRun compares runs field by field: times with Equal at the store's
// precision, everything else with DeepEqual. A want without Invocations
// or HeartbeatAt (as NewRun builds it) wants one invocation and some
// heartbeat.
func checkRun(tb testing.TB, got, want experiment.Run) {
	tb.Helper()
	want.Invocations = cmp.Or(want.Invocations, 1)
	if want.HeartbeatAt.IsZero() {
		if got.HeartbeatAt.IsZero() {
			tb.Errorf("run %d has no heartbeat", want.ID)
		}
		want.HeartbeatAt = got.HeartbeatAt
	}
	if !got.HeartbeatAt.Equal(us(want.HeartbeatAt)) {
		tb.Errorf("run %d HeartbeatAt = %v, want %v", want.ID, got.HeartbeatAt, us(want.HeartbeatAt))
	}
	got.HeartbeatAt, want.HeartbeatAt = time.Time{}, time.Time{}
	if !got.StartedAt.Equal(us(want.StartedAt)) {
		tb.Errorf("run %d StartedAt = %v, want %v", want.ID, got.StartedAt, us(want.StartedAt))
	}
	if !got.FinishedAt.Equal(us(want.FinishedAt)) {
		tb.Errorf("run %d FinishedAt = %v, want %v", want.ID, got.FinishedAt, us(want.FinishedAt))
	}
	got.StartedAt, got.FinishedAt, want.StartedAt, want.FinishedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		tb.Errorf("run mismatch:\n got %+v\nwant %+v", got, want)
	}
}

// checkTrials compares trials like checkRun.
func checkTrials(tb testing.TB, got, want []experiment.Trial) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("got %d trials, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.StartedAt.Equal(us(w.StartedAt)) {
			tb.Errorf("trial %d StartedAt = %v, want %v", i, g.StartedAt, us(w.StartedAt))
		}
		g.StartedAt, w.StartedAt = time.Time{}, time.Time{}
		if !reflect.DeepEqual(g, w) {
			tb.Errorf("trial %d mismatch:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

// queryRows returns every row of query, n values each, for tests.
func queryRows(ctx context.Context, q querier, query string, n int, args ...any) ([][]any, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		row := make([]any, n)
		ptrs := make([]any, n)
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// writerWithWAL returns the path of a database whose run an open Recorder
// is still writing: 3 of the plan's trials committed, only in its -wal
// file so far.
func writerWithWAL(t *testing.T) (path string, p *experiment.Plan, run experiment.Run, rec *Recorder) {
	t.Helper()
	db, path := openTestDB(t)
	p = testPlan(t)
	run = testRun(t, p, fullHost(), t0)
	rec = createTestRun(t, db, p, &run, nil)
	for i, st := range p.Steps[:3] {
		if err := rec.AddTrial(context.Background(), makeTrial(p, st, i)); err != nil {
			t.Fatal(err)
		}
	}
	if !exists(t, path+"-wal") {
		t.Fatal("the writer has no -wal file")
	}
	return path, p, run, rec
}
