// Package store keeps exp's runs, cells and trials in a SQLite file.
//
// Open applies the embedded migrations (package migrations) and sets WAL,
// busy_timeout and foreign keys. One goroutine writes trials, each
// committed on its own, so an interrupted or killed run keeps every
// finished trial; another writes the run's heartbeat, by which a run whose
// exp died reads as abandoned, and ResumeRun lets a later exp finish it.
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
	"strings"
	"sync"
	"time"

	"github.com/exp-tool/exp/migrations"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Sentinel errors of the store. Every one of them but ErrSuperseded is
// also ErrBadInput: errors.Is(err, ErrBadInput) tells a database or run the
// user named wrongly from a failure while using a good one.
var (
	// ErrBadInput is what all the store's other sentinels are: the user gave
	// a database path or run reference that exp cannot use.
	ErrBadInput = errors.New("bad database input")
	// ErrNoDatabase is returned by OpenExisting when the file does not exist.
	ErrNoDatabase = badInput("no database")
	// ErrNotExpDatabase is returned when a SQLite file has tables but was
	// not written by exp; exp leaves such a file untouched.
	ErrNotExpDatabase = badInput("not an exp database")
	// ErrNewerSchema is returned when the file was written by a newer exp.
	ErrNewerSchema = badInput("database schema is newer than this exp")
	// ErrCannotOpen is returned when the path cannot hold a database file:
	// a directory, or a file in a directory that is missing or unwritable.
	ErrCannotOpen = badInput("cannot open database file")
	// ErrCorrupt is returned when SQLite finds the file damaged (a copy
	// cut short, say) or a value in it that exp cannot read.
	ErrCorrupt = badInput("damaged database file")
	// ErrRunNotFound is returned by FindRun when no run matches.
	ErrRunNotFound = badInput("run not found")
	// ErrNothingToResume is returned by ResumeRun for a run that is done,
	// or that failed with every planned trial stored.
	ErrNothingToResume = badInput("nothing to resume")
	// ErrRunActive is returned by ResumeRun for a run whose exp is still
	// writing its heartbeat: it may still be running.
	ErrRunActive = badInput("the run may still be running")
	// ErrRunConflict is returned by Merge when a run's UUID is in two files
	// with different content; nothing is merged.
	ErrRunConflict = badInput("run exists with different content")
	// ErrSameFile is returned by Merge for an input that is the output file.
	ErrSameFile = badInput("input is the output file")
	// ErrSuperseded is returned by a Recorder whose run another exp has
	// resumed since (its heartbeat had stopped for too long): the trial or
	// outcome is not recorded, so that two processes never write one run.
	ErrSuperseded = errors.New("the run was resumed by another exp")
	// ErrLocked is returned when another process held the database's write
	// lock through every retry of a commit (see CommitRetries). It is not
	// bad input; it also wraps experiment.ErrStopped, so that the run is
	// marked interrupted and can be resumed.
	ErrLocked = errors.New("database is locked")
)

// inputError is a sentinel that is also ErrBadInput.
type inputError struct{ msg string }

func badInput(msg string) error { return &inputError{msg} }

// Error returns the message.
func (e *inputError) Error() string { return e.msg }

// Is reports whether target is ErrBadInput, so that every store sentinel
// matches it.
func (e *inputError) Is(target error) bool { return target == ErrBadInput }

// timeLayout is how times are stored: fixed width, so text order is time
// order, and readable by SQLite's date functions.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// BusyTimeout is how long a write waits for another writer's lock.
var BusyTimeout = 10 * time.Second

// DB is an open exp database.
type DB struct {
	sql  *sql.DB
	path string
	mode string // how dial opened it: "rwc", "rw", "ro" or "ro-immutable"
	// old is the schema version of a write-protected file from an older
	// exp, read as it is (see OpenExisting): the version before the first
	// migration it lacks; 0 for a current schema.
	old int
	// Now is the clock for timestamps the store writes itself (a run's
	// finish time); time.Now by default.
	Now func() time.Time
	// stmts are AddTrial's statements on the connection, prepared on
	// first use (see trialStmts); stmtsMu guards the field.
	stmtsMu sync.Mutex
	stmts   *trialStmts
}

// Open opens the database at path for writing, creating it if missing, and
// applies any pending migrations. It returns ErrNotExpDatabase for a file
// that is not an exp database, ErrCorrupt for a damaged one, ErrNewerSchema
// for a file from a newer exp, and ErrCannotOpen for a path that cannot
// hold a writable database: ":memory:", a directory, device or pipe, a
// file in a missing directory, or a write-protected file or directory
// (checked before SQLite opens it); in every case the file is not changed.
func Open(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, migrations.FS, true)
}

// open is Open with the migrations taken from migs.
func open(ctx context.Context, path string, migs fs.FS, create bool) (*DB, error) {
	all, err := loadMigrations(migs)
	if err != nil {
		return nil, err
	}
	return openWrite(ctx, path, all, create)
}

// OpenExisting opens the database at path for reading. It returns
// ErrNoDatabase for a missing file and ErrNotExpDatabase for an empty one.
// Readers never write: it neither migrates the file nor changes its
// journal mode, and it works on write-protected files and directories. A
// file from an older exp is read at its own schema version, with the
// defaults its missing columns stand for (a run before 0002_scaling was
// strong scaling of a CPU-bound kernel; one before 0003_reproduces
// reproduces no run); the first write (exp run, exp reproduce, exp merge)
// upgrades it.
func OpenExisting(ctx context.Context, path string) (*DB, error) {
	if err := checkPath(path, false); err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w (run `exp run` first, or pass --db)", path, ErrNoDatabase)
	}
	all, err := loadMigrations(migrations.FS)
	if err != nil {
		return nil, err
	}
	return openRead(ctx, path, all)
}

// OpenExistingForWrite opens the database at path for adding runs, like
// Open, but returns ErrNoDatabase for a missing file instead of creating
// one (exp reproduce adds the new run beside the one it reproduces).
func OpenExistingForWrite(ctx context.Context, path string) (*DB, error) {
	if err := checkPath(path, false); err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w (pass --db the file that holds the run)", path, ErrNoDatabase)
	}
	return open(ctx, path, migrations.FS, false)
}

// readModes are the ways dial may open path for reading, in order. Beside
// a -wal file (an exp is writing, or was killed), a read-only connection
// sees the WAL's content and neither checkpoints it into the file nor
// removes it. Otherwise a read-write connection that only reads leaves no
// -wal or -shm file behind; if the file's directory is not writable and
// the file is in WAL mode, SQLite cannot create the shared-memory file, so
// exp falls back to immutable mode, which is safe then because nobody can
// be writing there either (and no WAL holds content it would miss).
func readModes(path string) []string {
	if _, err := os.Stat(path + "-wal"); err == nil {
		return []string{"ro"}
	}
	return []string{"rw", "ro-immutable"}
}

// openRead opens path for reading at the file's own schema version (see
// readModes), with query_only set: it never writes the file.
func openRead(ctx context.Context, path string, all []migration) (*DB, error) {
	if err := checkPath(path, false); err != nil {
		return nil, err
	}
	var pending []migration
	var db *DB
	var err error
	for _, mode := range readModes(path) {
		if db, err = dial(path, mode); err != nil {
			return nil, err
		}
		// query_only: no statement through this handle can write.
		if _, err = db.sql.ExecContext(ctx, `PRAGMA query_only = 1`); err != nil {
			db.Close()
			return nil, fmt.Errorf("%s: %w", path, classify(err))
		}
		if pending, err = db.schemaVersion(ctx, all, false); err == nil {
			break
		}
		db.Close()
		if !errors.Is(err, ErrCannotOpen) {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(pending) > 0 {
		// Its columns are those of the migrations before the first it lacks.
		db.old = max(pending[0].version-1, 1)
	}
	return db, nil
}

// openWrite opens path read-write, brings its schema up to date and
// switches it to WAL. A missing file is created (by createNew) only if
// create is set; an empty one is refused.
func openWrite(ctx context.Context, path string, all []migration, create bool) (*DB, error) {
	if err := checkPath(path, true); err != nil {
		return nil, err
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && create:
		if err := createNew(ctx, path, all); err != nil {
			return nil, err
		}
	case err == nil && st.Size() == 0:
		return nil, fmt.Errorf("%s: %w: the file is empty (remove it, and exp run creates a new database there)", path, ErrNotExpDatabase)
	}
	db, err := dial(path, "rw")
	if err != nil {
		return nil, err
	}
	if err := db.migrate(ctx, all, false); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := db.ensureWAL(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: set WAL: %w", path, classify(err))
	}
	return db, nil
}

// dial opens a one-connection handle on path with exp's pragmas. mode is
// "rwc" (create if missing), "rw" (which SQLite opens read-only when the
// file is write-protected), "ro" or "ro-immutable".
func dial(path, mode string) (*DB, error) {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	// In WAL mode, NORMAL syncs the WAL only at checkpoints, not at every
	// commit: a committed transaction survives the process being killed
	// (the WAL is in the OS's page cache), and only an OS crash or power
	// loss may lose the last commits, never corrupting the file. FULL would
	// fsync every trial, four fifths of AddTrial's time (see README,
	// "Crashes and abandoned runs"). A connection that writes trials
	// checkpoints every trialCheckpointPages.
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_txlock", "immediate")
	sdb, err := sql.Open("sqlite", fileURI(path, mode, q))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// One connection: exp writes from one goroutine, and a single
	// connection keeps the pragmas and avoids in-process lock contention.
	sdb.SetMaxOpenConns(1)
	return &DB{sql: sdb, path: path, mode: mode, Now: time.Now}, nil
}

// fileURI is the SQLite URI that opens path in mode (see dial), with the
// parameters q (the driver's, such as _pragma) added.
func fileURI(path, mode string, q url.Values) string {
	switch mode {
	case "rw":
		q.Add("mode", "rw")
	case "ro":
		q.Add("mode", "ro")
	case "ro-immutable":
		q.Add("mode", "ro")
		q.Add("immutable", "1")
	}
	// In a file: URI, '?', '#' and '%' are syntax; escape them so the path
	// is taken literally.
	literal := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + literal + "?" + q.Encode()
}

// ensureWAL switches the file to WAL unless it is already. Changing the
// journal mode needs a moment of exclusive access, which SQLite does not
// wait for, so exp retries for up to BusyTimeout while other exps hold the
// file.
func (db *DB) ensureWAL(ctx context.Context) error {
	deadline := time.Now().Add(BusyTimeout)
	for {
		var mode string
		err := db.sql.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode)
		if err == nil && mode == "wal" {
			return nil
		}
		if err == nil {
			err = db.sql.QueryRowContext(ctx, `PRAGMA journal_mode = WAL`).Scan(&mode)
		}
		if err == nil && mode != "wal" {
			// The file system refused WAL (some network file systems do):
			// synchronous=NORMAL is safe only with WAL, so sync every commit.
			_, err = db.sql.ExecContext(ctx, `PRAGMA synchronous = FULL`)
			return err
		}
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Path returns the file the database was opened from.
func (db *DB) Path() string { return db.path }

// Close closes the database.
func (db *DB) Close() error {
	db.closeTrialStmts()
	return db.sql.Close()
}

// SQL exposes the underlying handle for read-only queries in tests and tools.
func (db *DB) SQL() *sql.DB { return db.sql }

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// timeLayouts are the RFC 3339 forms parseTime reads, with a T or a space
// between date and time: the offset may be Z or +hh:mm, the fraction of a
// second is optional. exp writes timeLayout; a file edited or merged by
// other tools may hold any of them.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00"}

// parseTime reads the value s of column, a time in any RFC 3339 form
// (lowercase t and z too), as UTC. Anything else is ErrCorrupt.
func parseTime(column, s string) (time.Time, error) {
	u := strings.ToUpper(s)
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, u); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %s %q is not an RFC 3339 time such as 2026-11-27T07:10:50Z", ErrCorrupt, column, s)
}

// fail wraps err from reading or writing the file: what was being done,
// the file's path, and the store's sentinel for a damaged or foreign file.
func (db *DB) fail(what string, err error) error {
	return fmt.Errorf("%s: %s: %w", db.path, what, classify(err))
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
