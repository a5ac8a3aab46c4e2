package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/exp-tool/exp/experiment"
)

// write opens the output file path (out, or a rehearsal copy of it) and,
// in one transaction, checks every run to add against its runs of the
// same UUID, then copies those it lacks.
//
// Foreign keys are off while it copies: checking each copied row's links
// again would search a parent's index for every row and link, a fifth of
// the copy's time, and the links hold by construction. read checked each
// input's links (foreign_key_check); every link of a run's row is to a row
// of the same run (a trial's cell is its run's: the key is (run_id,
// cell_id)); and both copies renumber each link with the row it links to.
func (m *merger) write(ctx context.Context, path string) error {
	db, err := Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return db.fail("merge", err)
	}
	defer conn.Close()
	attached, err := m.attach(ctx, conn)
	if err != nil {
		return db.fail("merge", err)
	}
	if err := begin(ctx, conn); err != nil {
		return db.fail("merge", err)
	}
	committed := false
	defer func() {
		bg := context.WithoutCancel(ctx)
		if !committed {
			conn.ExecContext(bg, `ROLLBACK`)
		}
		conn.ExecContext(bg, `PRAGMA foreign_keys = ON`)
	}()
	if err := m.checkOut(ctx, db, conn); err != nil {
		return err
	}
	rebuild, err := dropTrialIndexes(ctx, conn)
	if err != nil {
		return db.fail("merge", err)
	}
	for _, in := range m.inputs {
		if err := copyInput(ctx, conn, in, attached[in]); err != nil {
			return db.fail("merge "+in.path, err)
		}
	}
	for _, stmt := range rebuild {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return db.fail("merge: index the trials", err)
		}
	}
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		return db.fail("merge", err)
	}
	committed = true
	return nil
}

// attach attaches to out's connection conn (before the transaction:
// SQLite cannot attach inside one) the inputs that have runs to add, up to
// maxAttached, each as read opened it (in.modeNow): the input itself,
// read-only beside a -wal, or its upgraded copy. It returns their schema
// names.
func (m *merger) attach(ctx context.Context, conn *sql.Conn) (map[*mergeInput]string, error) {
	attached := map[*mergeInput]string{}
	for i, in := range m.inputs {
		if len(attached) == maxAttached || !slices.ContainsFunc(in.runs, func(r *mergeRun) bool { return !r.present && !r.running }) {
			continue
		}
		schema := fmt.Sprintf("input%d", i)
		if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS `+schema, fileURI(in.src, in.modeNow(), url.Values{})); err != nil {
			return nil, fmt.Errorf("attach %s: %w", in.path, err)
		}
		attached[in] = schema
	}
	return attached, nil
}

// begin starts merge's transaction on out's connection conn, with foreign
// keys off (see write). BEGIN IMMEDIATE would also take the write lock of
// each input attached read-write, keeping that input's own writers
// waiting while the merge runs; a deferred BEGIN and then a statement that
// writes to out but changes nothing take out's write lock alone, at once,
// waiting for it as BEGIN IMMEDIATE would (busy_timeout).
func begin(ctx context.Context, conn *sql.Conn) error {
	for _, stmt := range []string{`PRAGMA foreign_keys = OFF`, `BEGIN`, `DELETE FROM main.runs WHERE 0`} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
			return err
		}
	}
	return nil
}

// dropTrialIndexes drops the indexes on out's trials but its keys' if out
// holds no trial yet (a new file), in tx, and returns the statements that
// make them again once the trials are copied: one sort builds
// trials_cell faster than inserting each trial into it, its cells
// alternating (about 0.06 s less CPU for 200,000 trials).
func dropTrialIndexes(ctx context.Context, tx txConn) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM main.sqlite_schema
		WHERE type = 'index' AND tbl_name = 'trials' AND sql IS NOT NULL AND NOT EXISTS (SELECT 1 FROM main.trials)`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names, rebuild []string
	for rows.Next() {
		var name, stmt string
		if err := rows.Scan(&name, &stmt); err != nil {
			return nil, err
		}
		names, rebuild = append(names, name), append(rebuild, stmt)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for _, name := range names {
		if _, err := tx.ExecContext(ctx, `DROP INDEX main.`+quoteIdent(name)); err != nil {
			return nil, err
		}
	}
	return rebuild, nil
}

// checkOut looks up in out each run to add: one out holds with the same
// content is present, one it holds with other content a conflict.
func (m *merger) checkOut(ctx context.Context, db *DB, tx txConn) error {
	for _, in := range m.inputs {
		for _, r := range in.runs {
			if r.present || r.running {
				continue
			}
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM main.runs WHERE uuid = ?`, r.uuid).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return db.fail("merge: find run "+r.uuid, err)
			}
			d, err := runDigest(ctx, tx, id)
			if err != nil {
				return db.fail("merge: run "+r.uuid, err)
			}
			want, err := m.digest(ctx, r)
			if err != nil {
				return err
			}
			if d != want {
				return m.outConflict(ctx, tx, id, r)
			}
			r.present = true
		}
	}
	return nil
}

// copyInput copies the runs of in that out lacks into tx, from in attached
// to tx's connection as schema (copyAttached) or, with no schema, row by
// row (copyByRow). A run is read in one snapshot of the input, where its
// status is read again first: one that an exp took up again since read
// looked (exp run --resume) is left out as running.
func copyInput(ctx context.Context, tx txConn, in *mergeInput, schema string) error {
	if schema == "" {
		return copyByRow(ctx, tx, in)
	}
	for _, r := range in.runs {
		if r.present || r.running {
			continue
		}
		var err error
		if r.running, err = runningNow(ctx, tx, quoteIdent(schema)+".runs", r.id); err != nil {
			return fmt.Errorf("run %s: %w", r.uuid, err)
		}
		if r.running {
			continue
		}
		// One INSERT ... SELECT per table copies every row or fails:
		// reading the copy back for its digest would double the work.
		if _, err := copyAttached(ctx, tx, schema, r.id); err != nil {
			return fmt.Errorf("run %s: %w", r.uuid, err)
		}
	}
	return nil
}

// copyByRow copies the runs of in that out lacks into tx row by row
// (copyRun), reading in in one read transaction, and checks that each
// reads back from tx with the digest it has in in.
func copyByRow(ctx context.Context, tx txConn, in *mergeInput) error {
	if !slices.ContainsFunc(in.runs, func(r *mergeRun) bool { return !r.present && !r.running }) {
		return nil
	}
	db, err := in.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	src, err := db.sql.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return classify(err)
	}
	defer src.Rollback()
	for _, r := range in.runs {
		if r.present || r.running {
			continue
		}
		if r.running, err = runningNow(ctx, src, "runs", r.id); err != nil {
			return fmt.Errorf("run %s: %w", r.uuid, err)
		}
		if r.running {
			continue
		}
		id, err := copyRun(ctx, src, tx, r.id)
		if err != nil {
			return fmt.Errorf("run %s: %w", r.uuid, err)
		}
		got, err := runDigest(ctx, tx, id)
		if err != nil {
			return fmt.Errorf("run %s: check the copy: %w", r.uuid, err)
		}
		want, err := runDigest(ctx, src, r.id)
		if err != nil {
			return fmt.Errorf("run %s: %w", r.uuid, classify(err))
		}
		if got != want {
			return fmt.Errorf("run %s: the copy's content differs from the input's", r.uuid)
		}
	}
	return nil
}

// runningNow reports whether the run with id runID in table (an input's
// runs, as q reads it) is marked running with a fresh heartbeat: its exp
// is still adding trials. It returns ErrRunNotFound if the run is gone.
func runningNow(ctx context.Context, q txConn, table string, runID int64) (bool, error) {
	var status, started string
	var heartbeat sql.NullString
	err := q.QueryRowContext(ctx, `SELECT status, started_at, heartbeat_at FROM `+table+` WHERE id = ?`, runID).
		Scan(&status, &started, &heartbeat)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("%w: the run was deleted while exp merge read the file", ErrRunNotFound)
	}
	if err != nil || experiment.Status(status) != experiment.StatusRunning {
		return false, err
	}
	r := experiment.Run{Status: experiment.StatusRunning}
	if r.StartedAt, err = parseTime("started_at", started); err != nil {
		return false, err
	}
	if heartbeat.Valid {
		if r.HeartbeatAt, err = parseTime("heartbeat_at", heartbeat.String); err != nil {
			return false, err
		}
	}
	return !abandoned(r, time.Now()), nil
}

// outConflict describes run r of an input, whose UUID out holds with other
// content, as run id.
func (m *merger) outConflict(ctx context.Context, tx txConn, id int64, r *mergeRun) error {
	src, err := r.in.open(ctx)
	if err != nil {
		return err
	}
	defer src.Close()
	return conflict(ctx, r.uuid, m.out, tx, id, r.in.path, src.sql, r.id)
}

// conflict returns ErrRunConflict for run uuid, as run ida of file a and
// run idb of file b, saying where they first differ.
func conflict(ctx context.Context, uuid, a string, qa querier, ida int64, b string, qb querier, idb int64) error {
	ca, err := runContent(ctx, qa, ida)
	if err != nil {
		return fmt.Errorf("%s: run %s: %w", a, uuid, classify(err))
	}
	cb, err := runContent(ctx, qb, idb)
	if err != nil {
		return fmt.Errorf("%s: run %s: %w", b, uuid, classify(err))
	}
	what := diffRuns(ca, cb)
	if what == "" {
		what = "their digests differ"
	}
	return fmt.Errorf("%w: run %s in %s and in %s (%s; did it change since it was merged, by exp run --resume?); nothing was merged",
		ErrRunConflict, uuid, a, b, what)
}
