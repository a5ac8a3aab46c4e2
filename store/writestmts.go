package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
)

// trialStmts are AddTrial's statements, prepared once on the handle's one
// connection and run on it directly, through database/sql's Conn.Raw: the
// transaction's BEGIN IMMEDIATE and COMMIT (which a database/sql Tx would
// parse anew each time, beside starting a goroutine per transaction), the
// invocation's count, the trial, and its per-worker rows. Together these
// were about a quarter of a commit's CPU time. The statements belong to one
// driver connection: DB.Close finalizes them before closing it, and a
// Recorder that finds another connection prepares them again.
type trialStmts struct {
	conn                                  any // the driver connection they were prepared on
	begin, commit, rollback, count, trial driver.Stmt
	workers                               map[int]driver.Stmt // by number of rows: one INSERT of that many
}

// trialQueries are the SQL of trialStmts, but for the per-worker INSERT,
// whose text depends on the number of rows (workersQuery).
var trialQueries = struct{ begin, commit, rollback, count, trial string }{
	begin:    `BEGIN IMMEDIATE`,
	commit:   `COMMIT`,
	rollback: `ROLLBACK`,
	// The invocation's count, and the check that no other exp has resumed
	// the run since (its invocation would be newer).
	count: `UPDATE run_invocations SET trials = trials + 1
		WHERE id = ? AND id = (SELECT max(id) FROM run_invocations WHERE run_id = ?)`,
	trial: `INSERT INTO trials (run_id, cell_id, seq, rep, warmup, started_at, wall_ns, user_ns, sys_ns, load1, primes, checksum, ok, mismatch,
			timed_out, other_cpu_ns, quiet_wait_ns, exit_status, max_rss_kb, stderr_tail, conclude_status, invocation)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
}

// workersQuery is the INSERT of n per-worker rows.
func workersQuery(n int) string {
	return `INSERT INTO trial_workers (trial_id, worker, busy_ns, items, primes) VALUES ` +
		strings.Repeat("(?, ?, ?, ?, ?), ", n-1) + `(?, ?, ?, ?, ?)`
}

// withTrialStmts runs f with db's connection and AddTrial's statements on
// it, preparing them the first time and after database/sql has replaced
// the connection. Nothing else uses the connection meanwhile. If f returns
// an error wrapping driver.ErrBadConn, the statements are finalized and
// database/sql discards the connection.
func (db *DB) withTrialStmts(ctx context.Context, f func(st *trialStmts) error) error {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		db.stmtsMu.Lock()
		defer db.stmtsMu.Unlock()
		st := db.stmts
		if st == nil || st.conn != dc {
			// database/sql replaced the connection (it discards one that
			// was interrupted) without knowing of its statements, which can
			// no longer be finalized: SQLite keeps that connection's file
			// open until the process exits, its -wal file not removed.
			var err error
			if st, err = prepareTrialStmts(ctx, dc); err != nil {
				return err
			}
			db.stmts = st
		}
		err := f(st)
		if errors.Is(err, driver.ErrBadConn) {
			st.close()
			db.stmts = nil
		}
		return err
	})
}

// trialCheckpointPages is the WAL size, in pages, past which a commit of
// AddTrial checkpoints the WAL into the database file (SQLite's
// wal_autocheckpoint, 1000 by default): 10,000 pages of 4 KiB, about 1,600
// trials of 2 workers. Each checkpoint fsyncs the WAL and then the file,
// and on a machine whose disk is busy those fsyncs were most of the wall
// time of storing a trial; checkpointing a tenth as often also writes each
// page of the file fewer times. The WAL grows to about 40 MB while a run
// is being written, and is removed when the last exp closes the file.
// With synchronous=NORMAL this is also the most a power loss or an OS
// crash can lose (see dial); a killed process loses no committed trial.
const trialCheckpointPages = 10000

// prepareTrialStmts prepares trialStmts on the driver connection dc, and
// sets its wal_autocheckpoint to trialCheckpointPages.
func prepareTrialStmts(ctx context.Context, dc any) (*trialStmts, error) {
	p, ok := dc.(driver.ConnPrepareContext)
	if !ok {
		return nil, fmt.Errorf("prepare: driver connection %T cannot prepare with a context", dc)
	}
	pragma := fmt.Sprintf(`PRAGMA wal_autocheckpoint = %d`, trialCheckpointPages)
	s, err := p.PrepareContext(ctx, pragma)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pragma, err)
	}
	_, err = runStmt(ctx, s)
	s.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pragma, err)
	}
	st := &trialStmts{conn: dc, workers: map[int]driver.Stmt{}}
	q := trialQueries
	for _, s := range []struct {
		stmt  *driver.Stmt
		query string
	}{{&st.begin, q.begin}, {&st.commit, q.commit}, {&st.rollback, q.rollback}, {&st.count, q.count}, {&st.trial, q.trial}} {
		var err error
		if *s.stmt, err = p.PrepareContext(ctx, s.query); err != nil {
			st.close()
			return nil, fmt.Errorf("prepare %q: %w", s.query, err)
		}
	}
	return st, nil
}

// workersStmt returns the statement that inserts n per-worker rows,
// preparing it the first time.
func (st *trialStmts) workersStmt(ctx context.Context, n int) (driver.Stmt, error) {
	if s := st.workers[n]; s != nil {
		return s, nil
	}
	s, err := st.conn.(driver.ConnPrepareContext).PrepareContext(ctx, workersQuery(n))
	if err != nil {
		return nil, fmt.Errorf("prepare the INSERT of %d worker rows: %w", n, err)
	}
	st.workers[n] = s
	return s, nil
}

// close finalizes the statements; their connection must still be open.
func (st *trialStmts) close() {
	for _, s := range []driver.Stmt{st.begin, st.commit, st.rollback, st.count, st.trial} {
		if s != nil {
			s.Close()
		}
	}
	for _, s := range st.workers {
		s.Close()
	}
	*st = trialStmts{}
}

// closeTrialStmts finalizes AddTrial's statements, if prepared, while
// their connection is still open (DB.Close).
func (db *DB) closeTrialStmts() {
	db.stmtsMu.Lock()
	prepared := db.stmts != nil
	db.stmtsMu.Unlock()
	if !prepared {
		return
	}
	conn, err := db.sql.Conn(context.Background())
	if err != nil {
		return
	}
	defer conn.Close()
	_ = conn.Raw(func(dc any) error {
		db.stmtsMu.Lock()
		defer db.stmtsMu.Unlock()
		if db.stmts != nil && db.stmts.conn == dc {
			db.stmts.close()
		}
		db.stmts = nil
		return nil
	})
}

// runStmt runs s with args, given in the order of its parameters, each a
// driver.Value (int64, float64, bool, string or nil).
func runStmt(ctx context.Context, s driver.Stmt, args ...driver.Value) (driver.Result, error) {
	named := make([]driver.NamedValue, len(args))
	for i, v := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	e, ok := s.(driver.StmtExecContext)
	if !ok {
		return nil, fmt.Errorf("driver statement %T cannot execute with a context", s)
	}
	return e.ExecContext(ctx, named)
}
