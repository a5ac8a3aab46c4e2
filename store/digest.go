package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"slices"
	"strings"
)

// querier is what reads a run: a *sql.DB, or a *sql.Tx holding the
// write lock (exp merge compares runs inside its transaction).
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// runTable is how one table's rows of a run enter the run's content: which
// rows (from, with ? for the run's id, and their order), which columns are
// left out because they are ids that differ between files, and which links
// by id are replaced by the linked row's place in the run.
type runTable struct {
	name  string
	skip  []string // columns left out
	links []link   // columns replaced by an expression
	from  string   // FROM ... WHERE ... ORDER BY, with t the table and ? the run's id
	keys  []string // columns, by their label, that name a row in messages; none: its position
}

// link replaces column col, an id that differs between files, by expr, a
// value that does not: the linked row's idx or seq. as names it in messages.
type link struct{ col, expr, as string }

// runTables are the tables that hold a run, in the order its content is
// read. Their columns come from the file's schema (PRAGMA table_info), so
// that a column a later migration adds is part of the content with no change
// here; a new table, or a new link by id, needs a line here (TestRunTables
// fails until it has one).
var runTables = []runTable{
	{name: "runs", skip: []string{"id"}, from: `runs t WHERE t.id = ?`},
	{name: "cells", skip: []string{"id", "run_id"}, from: `cells t WHERE t.run_id = ? ORDER BY t.idx`, keys: []string{"idx"}},
	{name: "trials", skip: []string{"id", "run_id"},
		links: []link{{"cell_id", `(SELECT c.idx FROM cells c WHERE c.id = t.cell_id)`, "cell idx"}},
		from:  `trials t WHERE t.run_id = ? ORDER BY t.seq`, keys: []string{"seq"}},
	{name: "trial_workers", links: []link{{"trial_id", `p.seq`, "trial seq"}},
		from: `trial_workers t JOIN trials p ON p.id = t.trial_id WHERE p.run_id = ? ORDER BY p.seq, t.worker`,
		keys: []string{"trial seq", "worker"}},
	{name: "run_invocations", skip: []string{"id", "run_id"}, from: `run_invocations t WHERE t.run_id = ? ORDER BY t.started_at, t.id`},
	{name: "skipped_trials", skip: []string{"id", "run_id"},
		links: []link{{"cell_id", `(SELECT c.idx FROM cells c WHERE c.id = t.cell_id)`, "cell idx"}},
		from:  `skipped_trials t WHERE t.run_id = ? ORDER BY t.seq`, keys: []string{"seq"}},
}

// tableRows is one table's part of a run's content.
type tableRows struct {
	table  *runTable
	labels []string // each column's name, or its link's label
	rows   [][]any  // values as the driver returns them: nil, int64, float64, string or []byte
}

// columns returns the names of table's columns in the file, in schema
// order; none if the file lacks the table (an older file read as it is).
func columns(ctx context.Context, q querier, table string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}

// quoteIdent quotes a column name for SQL.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// walkRun calls visit with each table of the run with id runID and its
// column labels, then row with each of the table's rows in order, as they
// stream from the query (the slice is reused: copy what you keep). It
// returns ErrRunNotFound if the file has no such run.
func walkRun(ctx context.Context, q querier, runID int64, visit func(tableRows) error, row func(values []any) error) error {
	for i := range runTables {
		rt := &runTables[i]
		cols, err := columns(ctx, q, rt.name)
		if err != nil {
			return fmt.Errorf("columns of %s: %w", rt.name, err)
		}
		if len(cols) == 0 {
			continue
		}
		tr := tableRows{table: rt}
		var exprs []string
		for _, c := range cols {
			if slices.Contains(rt.skip, c) {
				continue
			}
			expr, label := "t."+quoteIdent(c), c
			if j := slices.IndexFunc(rt.links, func(l link) bool { return l.col == c }); j >= 0 {
				expr, label = rt.links[j].expr, rt.links[j].as
			}
			exprs = append(exprs, expr)
			tr.labels = append(tr.labels, label)
		}
		if err := visit(tr); err != nil {
			return err
		}
		n, err := eachRow(ctx, q, `SELECT `+strings.Join(exprs, ", ")+` FROM `+rt.from, len(exprs), row, runID)
		if err != nil {
			return fmt.Errorf("read %s: %w", rt.name, err)
		}
		if rt.name == "runs" && n == 0 {
			return fmt.Errorf("%w: no run has id %d", ErrRunNotFound, runID)
		}
	}
	return nil
}

// eachRow calls fn with every row of query, n values each, in one reused
// slice, and returns how many rows there were.
func eachRow(ctx context.Context, q querier, query string, n int, fn func([]any) error, args ...any) (int, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	row := make([]any, n)
	ptrs := make([]any, n)
	for i := range row {
		ptrs[i] = &row[i]
	}
	count := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return count, err
		}
		if err := fn(row); err != nil {
			return count, err
		}
		count++
	}
	return count, rows.Err()
}

// RunDigest returns the hex SHA-256 of the content of the run with id
// runID: its runs row (every column but id), its cells by idx, its trials
// by seq (each trial's cell named by the cell's idx), their workers by
// trial seq and worker, and its invocations by started_at, all without the
// ids that differ between files. Column lists come from the file's schema,
// so a column a later migration adds is covered with no code change. Two
// files at the same schema version give the same digest for the same run
// (exp merge compares runs after upgrading a copy of each input); a file
// from an older exp read as it is (OpenExisting) lacks the later columns,
// and digests differently. It returns ErrRunNotFound for no such run.
func (db *DB) RunDigest(ctx context.Context, runID int64) (string, error) {
	d, err := runDigest(ctx, db.sql, runID)
	if err != nil {
		return "", db.fail(fmt.Sprintf("digest of run %d", runID), err)
	}
	return d, nil
}

// runDigest is RunDigest through q. It streams the rows, so its memory
// does not grow with the run; each table's row count follows its rows.
func runDigest(ctx context.Context, q querier, runID int64) (string, error) {
	h := sha256.New()
	rows, started := 0, false
	err := walkRun(ctx, q, runID, func(tr tableRows) error {
		if started {
			writeLen(h, rows)
		}
		started, rows = true, 0
		writeField(h, 't', []byte(tr.table.name))
		writeLen(h, len(tr.labels))
		for _, l := range tr.labels {
			writeField(h, 'c', []byte(l))
		}
		return nil
	}, func(row []any) error {
		for _, v := range row {
			writeValue(h, v)
		}
		rows++
		return nil
	})
	if err != nil {
		return "", err
	}
	if started {
		writeLen(h, rows)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// writeValue writes v to h tagged with its type, so that no two different
// rows write the same bytes (1 and '1' and 1.0 differ; so do NULL and ”).
func writeValue(h hash.Hash, v any) {
	switch v := v.(type) {
	case nil:
		writeField(h, 'n', nil)
	case int64:
		writeField(h, 'i', binary.BigEndian.AppendUint64(nil, uint64(v)))
	case float64:
		writeField(h, 'f', binary.BigEndian.AppendUint64(nil, math.Float64bits(v)))
	case string:
		writeField(h, 's', []byte(v))
	case []byte:
		writeField(h, 'b', v)
	default: // the driver returns none of these for STRICT tables
		writeField(h, '?', fmt.Appendf(nil, "%T %v", v, v))
	}
}

// writeField writes a tag, the length of b and b.
func writeField(h hash.Hash, tag byte, b []byte) {
	h.Write([]byte{tag})
	writeLen(h, len(b))
	h.Write(b)
}

func writeLen(h hash.Hash, n int) { h.Write(binary.BigEndian.AppendUint64(nil, uint64(n))) }

// runContent reads the whole content of a run, for diffRuns.
func runContent(ctx context.Context, q querier, runID int64) ([]tableRows, error) {
	var out []tableRows
	err := walkRun(ctx, q, runID, func(tr tableRows) error {
		out = append(out, tr)
		return nil
	}, func(row []any) error {
		last := &out[len(out)-1]
		last.rows = append(last.rows, slices.Clone(row))
		return nil
	})
	return out, err
}

// diffRuns says where the content of two runs first differs, as
// "trials: 12 vs 10 rows" or "trials seq 3: wall_ns 1234 vs 1240" (a's
// value first); "" if it does not.
func diffRuns(a, b []tableRows) string {
	for i := range min(len(a), len(b)) {
		ta, tb := a[i], b[i]
		name := ta.table.name
		if !slices.Equal(ta.labels, tb.labels) {
			return fmt.Sprintf("%s: columns %s vs %s", name, strings.Join(ta.labels, ","), strings.Join(tb.labels, ","))
		}
		if len(ta.rows) != len(tb.rows) {
			return fmt.Sprintf("%s: %d vs %d rows", name, len(ta.rows), len(tb.rows))
		}
		for r := range ta.rows {
			for c := range ta.labels {
				va, vb := ta.rows[r][c], tb.rows[r][c]
				if sameValue(va, vb) {
					continue
				}
				where := name
				if label := rowLabel(ta, r); label != "" {
					where += " " + label
				}
				return fmt.Sprintf("%s: %s %s vs %s", where, ta.labels[c], showValue(va), showValue(vb))
			}
		}
	}
	if len(a) != len(b) {
		return fmt.Sprintf("%d vs %d tables", len(a), len(b))
	}
	return ""
}

// rowLabel names row r of tr by its key columns, or by its position.
func rowLabel(tr tableRows, r int) string {
	if tr.table.name == "runs" {
		return ""
	}
	if len(tr.table.keys) == 0 {
		return fmt.Sprintf("#%d", r+1)
	}
	var parts []string
	for _, k := range tr.table.keys {
		if c := slices.Index(tr.labels, k); c >= 0 {
			parts = append(parts, k+" "+showValue(tr.rows[r][c]))
		}
	}
	return strings.Join(parts, " ")
}

// sameValue reports whether two values read from the driver are equal,
// type included.
func sameValue(a, b any) bool {
	if ba, ok := a.([]byte); ok {
		bb, ok := b.([]byte)
		return ok && string(ba) == string(bb)
	}
	if _, ok := b.([]byte); ok {
		return false
	}
	if fa, ok := a.(float64); ok {
		fb, ok := b.(float64)
		return ok && math.Float64bits(fa) == math.Float64bits(fb)
	}
	return a == b
}

// showValue renders a value for a message: NULL, a number, or a quoted
// string cut to 40 characters.
func showValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case string:
		if r := []rune(v); len(r) > 40 {
			v = string(r[:40]) + "..."
		}
		return fmt.Sprintf("%q", v)
	case []byte:
		return fmt.Sprintf("%d-byte blob", len(v))
	}
	return fmt.Sprint(v)
}
