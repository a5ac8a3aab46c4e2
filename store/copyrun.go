package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// copyTables are the tables that hold a run, parents first, as copyRun
// copies them: the run's rows (where, with ? the run's id, in id order so
// that later rows stay later) and the columns that link to another table's
// id. Every other column is copied as it is, whatever the schema holds; a
// new table, or a new link by id, needs a line here (TestRunTables fails
// until it has one).
var copyTables = []struct {
	name  string
	where string
	links map[string]string // column -> table whose id it holds
}{
	{"runs", `WHERE id = ?`, nil},
	{"cells", `WHERE run_id = ? ORDER BY id`, map[string]string{"run_id": "runs"}},
	{"trials", `WHERE run_id = ? ORDER BY id`, map[string]string{"run_id": "runs", "cell_id": "cells"}},
	{"trial_workers", `WHERE trial_id IN (SELECT id FROM trials WHERE run_id = ?) ORDER BY trial_id, worker`,
		map[string]string{"trial_id": "trials"}},
	{"run_invocations", `WHERE run_id = ? ORDER BY id`, map[string]string{"run_id": "runs"}},
	{"skipped_trials", `WHERE run_id = ? ORDER BY id`, map[string]string{"run_id": "runs", "cell_id": "cells"}},
}

// copyRun copies the run with id runID, read through src, into tx, and
// returns its new id. Rows get new ids (tx's next ones), and the columns
// that link rows by id are renumbered to match; src and tx must have the
// same schema.
func copyRun(ctx context.Context, src querier, tx txConn, runID int64) (int64, error) {
	ids := map[string]map[int64]int64{} // table -> id in src -> id in tx
	for _, ct := range copyTables {
		cols, err := columns(ctx, src, ct.name)
		if err != nil {
			return 0, fmt.Errorf("columns of %s: %w", ct.name, err)
		}
		newIDs, err := copyRows(ctx, src, tx, ct.name, cols, ct.where, runID, func(col string, v any) (any, error) {
			table, ok := ct.links[col]
			if !ok {
				return v, nil
			}
			old, _ := v.(int64)
			n, ok := ids[table][old]
			if !ok {
				return nil, fmt.Errorf("%w: %s.%s is %v, which is no %s row of the run", ErrCorrupt, ct.name, col, v, table)
			}
			return n, nil
		})
		if err != nil {
			return 0, fmt.Errorf("copy %s: %w", ct.name, err)
		}
		ids[ct.name] = newIDs
	}
	return ids["runs"][runID], nil
}

// copyRows inserts into tx's table the rows of src's table that where
// selects, with the columns cols: every one but id (tx numbers the rows)
// through remap. It returns the new id of each row by its old one.
func copyRows(ctx context.Context, src querier, tx txConn, table string, cols []string, where string, runID int64,
	remap func(col string, v any) (any, error)) (map[int64]int64, error) {
	var quoted, ins, marks []string
	for _, c := range cols {
		quoted = append(quoted, quoteIdent(c))
		if c != "id" {
			ins, marks = append(ins, quoteIdent(c)), append(marks, "?")
		}
	}
	hasID := slices.Contains(cols, "id")
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO `+quoteIdent(table)+` (`+strings.Join(ins, ", ")+`) VALUES (`+strings.Join(marks, ", ")+`)`)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	rows, err := src.QueryContext(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM `+quoteIdent(table)+` `+where, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	newIDs := map[int64]int64{}
	row, ptrs := make([]any, len(cols)), make([]any, len(cols))
	for i := range row {
		ptrs[i] = &row[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		var old int64
		args := make([]any, 0, len(ins))
		for i, c := range cols {
			if c == "id" {
				old, _ = row[i].(int64)
				continue
			}
			v, err := remap(c, row[i])
			if err != nil {
				return nil, err
			}
			args = append(args, v)
		}
		res, err := stmt.ExecContext(ctx, args...)
		if err != nil {
			return nil, err
		}
		if hasID {
			if newIDs[old], err = res.LastInsertId(); err != nil {
				return nil, err
			}
		}
	}
	return newIDs, rows.Err()
}
