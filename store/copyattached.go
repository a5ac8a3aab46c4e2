package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// maxAttached is how many input copies exp merge attaches to out's
// connection at once for copyAttached (SQLite allows 10 attached files by
// default); the runs of inputs beyond them are copied row by row (copyRun).
// A variable so that tests can take the slow path.
var maxAttached = 8

// copyAttached copies the run with id runID from the database attached to
// tx's connection as schema into tx's main database, and returns its new
// id. It does what copyRun does, inside SQLite, one INSERT ... SELECT per
// table: each table's ids are shifted by one offset, so that they follow
// the highest id out holds in run order, and each link by id is shifted by
// its table's offset. About ten times faster than copyRun on a run of a
// million trials. The two files must have the same schema.
func copyAttached(ctx context.Context, tx *sql.Tx, schema string, runID int64) (int64, error) {
	offsets := map[string]int64{} // table -> new id - old id
	for _, ct := range copyTables {
		cols, err := columns(ctx, tx, ct.name)
		if err != nil {
			return 0, fmt.Errorf("columns of %s: %w", ct.name, err)
		}
		srcTable := quoteIdent(schema) + "." + quoteIdent(ct.name)
		where := attachedWhere(ct.name, schema)
		if slices.Contains(cols, "id") {
			var first sql.NullInt64
			var last int64
			err := tx.QueryRowContext(ctx, `SELECT min(t.id) FROM `+srcTable+` t `+where, runID).Scan(&first)
			if err == nil {
				err = tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM main.`+quoteIdent(ct.name)).Scan(&last)
			}
			if err != nil {
				return 0, fmt.Errorf("ids of %s: %w", ct.name, err)
			}
			offsets[ct.name] = last + 1 - first.Int64
		}
		var names, exprs []string
		for _, c := range cols {
			expr := "t." + quoteIdent(c)
			switch table, ok := ct.links[c]; {
			case c == "id":
				expr = fmt.Sprintf("t.id + %d", offsets[ct.name])
			case ok:
				expr = fmt.Sprintf("t.%s + %d", quoteIdent(c), offsets[table])
			}
			names, exprs = append(names, quoteIdent(c)), append(exprs, expr)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO main.`+quoteIdent(ct.name)+` (`+strings.Join(names, ", ")+`)
			SELECT `+strings.Join(exprs, ", ")+` FROM `+srcTable+` t `+where+` ORDER BY `+attachedOrder(ct.name), runID); err != nil {
			return 0, fmt.Errorf("copy %s: %w", ct.name, err)
		}
	}
	return runID + offsets["runs"], nil
}

// attachedWhere selects, with t the table and ? the run's id, the rows of
// table that copyTables does, in the attached file schema.
func attachedWhere(table, schema string) string {
	switch table {
	case "runs":
		return `WHERE t.id = ?`
	case "trial_workers":
		return `WHERE t.trial_id IN (SELECT id FROM ` + quoteIdent(schema) + `.trials WHERE run_id = ?)`
	}
	return `WHERE t.run_id = ?`
}

// attachedOrder is copyTables' order of table's rows, with t the table.
func attachedOrder(table string) string {
	if table == "trial_workers" {
		return `t.trial_id, t.worker`
	}
	return `t.id`
}
