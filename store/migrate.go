package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
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

// loadMigrations reads and orders the migration files of migs. Versions
// must be distinct and at least 1; a version may be missing (a migration
// written on another branch, still to be merged): a file gets every
// migration it lacks, whatever its number (see migrate).
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
		switch {
		case m.version < 1:
			return nil, fmt.Errorf("migration %s: version must be 0001 or more", m.name)
		case i > 0 && out[i-1].version == m.version:
			return nil, fmt.Errorf("migration %s: version %04d is also %s (each version once)", m.name, m.version, out[i-1].name)
		}
	}
	return out, nil
}

// schemaVersion checks that the file is exp's and returns the migrations of
// all that it lacks, in order (all of them for an empty file). A file that
// already has tables but no schema_migrations is not exp's; an empty one is
// accepted only if create is set. A file that holds a migration exp does
// not know is from a newer exp (ErrNewerSchema).
func (db *DB) schemaVersion(ctx context.Context, all []migration, create bool) (pending []migration, err error) {
	var tables, ours int
	err = db.sql.QueryRowContext(ctx,
		`SELECT count(*), count(*) FILTER (WHERE name = 'schema_migrations')
		 FROM sqlite_schema WHERE type = 'table'`).Scan(&tables, &ours)
	if err != nil {
		return nil, classify(err)
	}
	if tables > 0 && ours == 0 {
		return nil, fmt.Errorf("%w: it holds tables exp did not create", ErrNotExpDatabase)
	}
	if tables == 0 && !create {
		return nil, fmt.Errorf("%w: the file is empty (run `exp run` to create a database)", ErrNotExpDatabase)
	}
	applied := map[int]bool{}
	if ours == 1 {
		if applied, err = db.appliedVersions(ctx); err != nil {
			return nil, fmt.Errorf("read schema version: %w", classify(err))
		}
	}
	known := map[int]bool{}
	newest := 0
	for _, m := range all {
		known[m.version], newest = true, m.version
	}
	versions := slices.Sorted(maps.Keys(applied))
	if len(versions) > 0 && versions[len(versions)-1] > newest {
		return nil, fmt.Errorf("%w (file has version %d, this exp knows %d): upgrade exp", ErrNewerSchema, versions[len(versions)-1], newest)
	}
	for _, v := range versions {
		if !known[v] {
			return nil, fmt.Errorf("%w (file has migration %04d, which this exp lacks): upgrade exp", ErrNewerSchema, v)
		}
	}
	for _, m := range all {
		if !applied[m.version] {
			pending = append(pending, m)
		}
	}
	return pending, nil
}

// appliedVersions reads the versions recorded in schema_migrations.
func (db *DB) appliedVersions(ctx context.Context) (map[int]bool, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	applied := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		applied[v] = true
	}
	return applied, rows.Err()
}

// migrate applies the migrations the file lacks, in version order, each in
// one transaction together with its row in schema_migrations.
func (db *DB) migrate(ctx context.Context, all []migration, create bool) error {
	pending, err := db.schemaVersion(ctx, all, create)
	if err != nil {
		return err
	}
	for _, m := range pending {
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

// classify turns SQLite's "not a database", "cannot open" and "read-only"
// results into the store's sentinels, so that a bad --db is reported as bad
// input; other errors pass through.
func classify(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff { // primary result code
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("%w: the file is not SQLite (%v)", ErrNotExpDatabase, err)
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
