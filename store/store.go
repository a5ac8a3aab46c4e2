// Package store keeps exp's runs, cells and trials in a SQLite file.
//
// Open applies the embedded migrations (package migrations) and sets WAL,
// busy_timeout and foreign keys. One goroutine writes; each trial is
// committed on its own, so an interrupted run keeps every finished trial.
// The store converts between rows and the domain types of package
// experiment; it computes no statistics and renders nothing.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/exp-tool/exp/migrations"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Sentinel errors of the store.
var (
	// ErrNoDatabase is returned by OpenExisting when the file does not exist.
	ErrNoDatabase = errors.New("no database")
	// ErrNotExpDatabase is returned when a SQLite file has tables but was
	// not written by exp; exp leaves such a file untouched.
	ErrNotExpDatabase = errors.New("not an exp database")
	// ErrNewerSchema is returned when the file was written by a newer exp.
	ErrNewerSchema = errors.New("database schema is newer than this exp")
	// ErrCannotOpen is returned when the path cannot hold a database file:
	// a directory, or a file in a directory that is missing or unwritable.
	ErrCannotOpen = errors.New("cannot open database file")
	// ErrRunNotFound is returned by FindRun when no run matches.
	ErrRunNotFound = errors.New("run not found")
)

// timeLayout is how times are stored: fixed width, so text order is time
// order, and readable by SQLite's date functions.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// BusyTimeout is how long a write waits for another writer's lock.
var BusyTimeout = 10 * time.Second

// DB is an open exp database.
type DB struct {
	sql  *sql.DB
	path string
	// Now is the clock for timestamps the store writes itself (a run's
	// finish time); time.Now by default.
	Now func() time.Time
}

// Open opens the database at path, creating it if missing, and applies any
// pending migrations. It returns ErrNotExpDatabase for a SQLite file with
// foreign tables and ErrNewerSchema for a file from a newer exp; in both
// cases the file is not changed.
func Open(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, migrations.FS, true)
}

// OpenExisting is Open for commands that only read: it returns ErrNoDatabase
// instead of creating a missing file, and ErrNotExpDatabase instead of
// initialising an empty one. It still upgrades an older exp schema.
func OpenExisting(ctx context.Context, path string) (*DB, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w (run `exp run` first, or pass --db)", path, ErrNoDatabase)
	}
	return open(ctx, path, migrations.FS, false)
}

// open opens path and brings its schema up to date; an empty file is
// initialised only if create is set.
func open(ctx context.Context, path string, migs fs.FS, create bool) (*DB, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%s: %w: it is a directory (give a file name such as %s)", path, ErrCannotOpen, filepath.Join(path, "exp.db"))
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_txlock", "immediate")
	// In a file: URI, '?', '#' and '%' are syntax; escape them so the path
	// is taken literally.
	literal := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	sdb, err := sql.Open("sqlite", "file:"+literal+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// One connection: exp writes from one goroutine, and a single
	// connection keeps the pragmas and avoids in-process lock contention.
	sdb.SetMaxOpenConns(1)
	db := &DB{sql: sdb, path: path, Now: time.Now}
	if err := db.migrate(ctx, migs, create); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if _, err := sdb.ExecContext(ctx, `PRAGMA journal_mode = WAL`); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("%s: set WAL: %w", path, err)
	}
	return db, nil
}

// Path returns the file the database was opened from.
func (db *DB) Path() string { return db.path }

// Close closes the database.
func (db *DB) Close() error { return db.sql.Close() }

// SQL exposes the underlying handle for read-only queries in tests and tools.
func (db *DB) SQL() *sql.DB { return db.sql }

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) { return time.Parse(timeLayout, s) }

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
