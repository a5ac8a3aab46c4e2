package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/exp-tool/exp/experiment"
)

// EachTrialChunk is how many trials EachTrial reads with one query: each
// query returns one row of comma-separated columns, about 60 bytes a
// trial, so a chunk of 8192 is about half a megabyte of text. Larger
// chunks read a million trials no faster (2048 to 131,072 were tried) and
// hold more memory.
var EachTrialChunk = 8192

// EachTrial calls fn with each trial of the run with id runID in run order
// (Seq), warmups included, one trial at a time: a run of a million trials
// is never held in memory. It reads only what an analysis of the run
// needs (package report's Builder): Cell, Seq, Warmup, Invocation, WallNS,
// UserNS, SysNS, Hits, OK, TimedOut, OtherCPUNS and HasOtherCPU, and for a trial of
// kernel command a Process holding only its ExitStatus. The rest (Rep,
// StartedAt, Load1, Checksum, Mismatch, QuietWaitNS, Workers and the other
// fields of Process) is left zero; Trials reads everything. fn gets the
// same *experiment.Trial each time, overwritten for every trial (its Process
// too), so it must copy what it keeps, and it must not use db, whose one
// connection EachTrial holds until it returns. The trials are read in one
// read transaction, by another goroutine a chunk (EachTrialChunk trials)
// ahead of fn. An error from fn stops the reading and is returned as it is.
func (db *DB) EachTrial(ctx context.Context, runID int64, fn func(*experiment.Trial) error) error {
	cells, err := db.cellIndexes(ctx, runID)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("trials of run %d", runID)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	tx, err := db.sql.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return db.fail(what, err)
	}
	defer tx.Rollback()
	chunks := make(chan trialChunk, 1)
	go db.readChunks(ctx, tx, runID, chunks)
	// On an early return, stop the reader and wait for it: tx must not be
	// rolled back while it queries.
	defer func() {
		cancel()
		for range chunks {
		}
	}()
	var cols chunkColumns
	for c := range chunks {
		if c.err != nil {
			return db.fail(what, c.err)
		}
		if err := cols.parse(&c); err != nil {
			return db.fail(what, err)
		}
		if err := db.eachOf(&cols, cells, runID, fn); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// trialChunk is one query's answer: each column of a chunk of trials as
// SQLite's group_concat, comma-separated decimal integers, their count and
// the chunk's last seq; or the error that ended the reading.
type trialChunk struct {
	cols [chunkWidth]string
	n    int
	last sql.NullInt64
	err  error
}

// chunkWidth is the number of columns a chunk carries (see eachQuery).
const chunkWidth = 8

// eachQuery reads the chunk of run ?1's trials from seq ?2 on: the next ?3
// trials in seq order (the upper bound is the seq ?3-1 places after ?2 in
// the (run_id, seq) index, or every trial left). Each column is one
// group_concat: the driver takes two lock round trips for each column of
// each row, so one row a chunk costs twenty where one a trial cost
// sixteen per trial, and SQLite writes decimals faster than the driver
// hands over values (1M trials: 0.65 s against 1.3 s). The flags travel
// packed: bit 0 warmup, bit 1 ok, bit 2 timed_out, bit 3 exit_status is
// set, then exit_status (0-255) << 4, then invocation << 12; other_cpu_ns
// is -1 for NULL (the column is >= 0).
const eachQuery = `
	SELECT coalesce(group_concat(t.seq), ''), coalesce(group_concat(t.cell_id), ''), coalesce(group_concat(t.wall_ns), ''),
		coalesce(group_concat(t.user_ns), ''), coalesce(group_concat(t.sys_ns), ''), coalesce(group_concat(t.primes), ''),
		coalesce(group_concat(t.warmup + 2 * t.ok + 4 * t.timed_out + 8 * (t.exit_status IS NOT NULL) + 16 * coalesce(t.exit_status, 0) + 4096 * t.invocation), ''),
		coalesce(group_concat(coalesce(t.other_cpu_ns, -1)), ''),
		count(*), max(t.seq)
	FROM trials t
	WHERE t.run_id = ?1 AND t.seq >= ?2 AND t.seq <= coalesce(
		(SELECT b.seq FROM trials b WHERE b.run_id = ?1 AND b.seq >= ?2 ORDER BY b.seq LIMIT 1 OFFSET ?3 - 1),
		9223372036854775807)`

// readChunks sends the chunks of run runID's trials, in seq order, on out
// and closes it; it stops at the first error, which it sends, or when ctx
// is done.
func (db *DB) readChunks(ctx context.Context, tx *sql.Tx, runID int64, out chan<- trialChunk) {
	defer close(out)
	query := db.invocationColumn(db.commandColumns(db.limitColumns(eachQuery)))
	stmt, err := tx.PrepareContext(ctx, query)
	if err != nil {
		out <- trialChunk{err: err}
		return
	}
	defer stmt.Close()
	from := int64(-1 << 63)
	for {
		var c trialChunk
		dest := make([]any, 0, chunkWidth+2)
		for i := range c.cols {
			dest = append(dest, &c.cols[i])
		}
		c.err = stmt.QueryRowContext(ctx, runID, from, max(EachTrialChunk, 1)).Scan(append(dest, &c.n, &c.last)...)
		if c.n == 0 && c.err == nil {
			return
		}
		select {
		case out <- c:
		case <-ctx.Done():
			return
		}
		if c.err != nil || !c.last.Valid || c.last.Int64 == 1<<63-1 {
			return
		}
		from = c.last.Int64 + 1
	}
}

// cellIndexes maps the ids of run runID's cells to their plan indexes.
func (db *DB) cellIndexes(ctx context.Context, runID int64) (map[int64]int, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, idx FROM cells WHERE run_id = ?`, runID)
	if err != nil {
		return nil, db.fail(fmt.Sprintf("cells of run %d", runID), err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var idx int
		if err := rows.Scan(&id, &idx); err != nil {
			return nil, db.fail(fmt.Sprintf("cells of run %d", runID), err)
		}
		out[id] = idx
	}
	if err := rows.Err(); err != nil {
		return nil, db.fail(fmt.Sprintf("cells of run %d", runID), err)
	}
	return out, nil
}
