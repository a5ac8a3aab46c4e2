package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// migrationName matches NNNN_name.sql.
var migrationName = regexp.MustCompile(`^(\d{4})_[a-z0-9_]+\.sql$`)

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads and orders the migration files of migs.
func loadMigrations(migs fs.FS) ([]migration, error) {
	names, err := fs.Glob(migs, "*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, n := range names {
		m := migrationName.FindStringSubmatch(path.Base(n))
		if m == nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", n)
		}
		v, _ := strconv.Atoi(m[1])
		b, err := fs.ReadFile(migs, n)
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", n, err)
		}
		out = append(out, migration{version: v, name: n, sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %04d (versions start at 1 with no gaps)", m.name, i+1)
		}
	}
	return out, nil
}

// schemaVersion checks that the file is exp's and returns the version it
// holds (0 for an empty file) and the number of migrations exp knows. A file
// that already has tables but no schema_migrations is not exp's; an empty
// one is accepted only if create is set.
func (db *DB) schemaVersion(ctx context.Context, all []migration, create bool) (int, error) {
	var tables, ours int
	err := db.sql.QueryRowContext(ctx,
		`SELECT count(*), count(*) FILTER (WHERE name = 'schema_migrations')
		 FROM sqlite_schema WHERE type = 'table'`).Scan(&tables, &ours)
	if err != nil {
		return 0, classify(err)
	}
	if tables > 0 && ours == 0 {
		return 0, fmt.Errorf("%w: it holds tables exp did not create", ErrNotExpDatabase)
	}
	if tables == 0 && !create {
		return 0, fmt.Errorf("%w: the file is empty (run `exp run` to create a database)", ErrNotExpDatabase)
	}
	current := 0
	if ours == 1 {
		if err := db.sql.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return 0, fmt.Errorf("read schema version: %w", classify(err))
		}
	}
	if current > len(all) {
		return 0, fmt.Errorf("%w (file has version %d, this exp knows %d): upgrade exp", ErrNewerSchema, current, len(all))
	}
	return current, nil
}

// migrate applies pending migrations, each in one transaction together with
// its row in schema_migrations.
func (db *DB) migrate(ctx context.Context, all []migration, create bool) error {
	current, err := db.schemaVersion(ctx, all, create)
	if err != nil {
		return err
	}
	for _, m := range all[current:] {
		if err := db.apply(ctx, m); err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, classify(err))
		}
	}
	return nil
}

// apply runs migration m and records it, in one write transaction; it does
// nothing if a concurrent exp has applied m first.
func (db *DB) apply(ctx context.Context, m migration) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT NOT NULL,
			applied_at TEXT NOT NULL
		) STRICT`); err != nil {
		return err
	}
	// Another exp may have applied m since we looked: the transaction holds
	// the write lock (_txlock=immediate), so this check is final.
	var done int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&done); err != nil {
		return err
	}
	if done > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, formatTime(db.Now())); err != nil {
		return err
	}
	return tx.Commit()
}

// classify turns SQLite's "not a database", "corrupt", "cannot open" and
// "read-only" results into the store's sentinels, so that a bad --db is reported as bad
// input; other errors pass through.
func classify(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff { // primary result code
		case sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("%w: the file is not SQLite (%v)", ErrNotExpDatabase, err)
		case sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("%w: %v (was it cut short or overwritten? exp leaves it as it is)", ErrCorrupt, err)
		case sqlite3.SQLITE_CANTOPEN:
			return fmt.Errorf("%w (does the directory exist, and may exp write there?)", ErrCannotOpen)
		case sqlite3.SQLITE_READONLY:
			return fmt.Errorf("%w: the file or its directory is read-only (%v)", ErrCannotOpen, err)
		}
	}
	return err
}

// SchemaVersion returns the highest migration applied to the file.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.sql.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return v, err
}

// isBusy reports whether err is SQLITE_BUSY or SQLITE_LOCKED.
func isBusy(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		code := se.Code() & 0xff
		return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
	}
	return false
}
