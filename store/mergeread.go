package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/exp-tool/exp/experiment"
)

// read checks input path and lists its runs: those still running are left
// out, and one whose UUID an earlier input holds is compared with it. An
// input from an older exp is read from an upgraded copy (upgradedCopy).
func (m *merger) read(ctx context.Context, path string) error {
	if err := checkPath(path, false); err != nil {
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, ErrNoDatabase)
	}
	if m.outStat != nil && os.SameFile(st, m.outStat) {
		return fmt.Errorf("%s: %w %s (give other files to merge into it)", path, ErrSameFile, m.out)
	}
	db, err := openRead(ctx, path, m.all)
	if err != nil {
		return err
	}
	in := &mergeInput{path: path, src: path, mode: db.mode}
	if db.old != 0 {
		db.Close()
		if db, err = m.upgradedCopy(ctx, in); err != nil {
			return err
		}
	}
	defer db.Close()
	// A row linking to one that is not there would fail only once out is
	// open, or be copied as it is (the copy does not check links again); a
	// file exp wrote (foreign keys on) has none.
	var broken int
	if err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM pragma_foreign_key_check`).Scan(&broken); err != nil {
		return fmt.Errorf("%s: check links: %w", path, classify(err))
	}
	if broken > 0 {
		return fmt.Errorf("%s: %w: %d rows link to rows that are not there (PRAGMA foreign_key_check lists them)", path, ErrCorrupt, broken)
	}
	runs, err := db.ListRuns(ctx)
	if err != nil {
		return fmt.Errorf("%s: read runs: %w", path, err)
	}
	for _, run := range runs {
		r := &mergeRun{in: in, id: run.ID, uuid: run.UUID}
		if run.Status == experiment.StatusRunning {
			r.running = true
			in.runs = append(in.runs, r)
			continue
		}
		if prev, ok := m.seen[r.uuid]; ok {
			// A run's digest is needed only to compare it with another
			// copy of the run: here, an earlier input's.
			if r.digest, err = runDigest(ctx, db.sql, r.id); err != nil {
				return fmt.Errorf("%s: run %s: %w", path, r.uuid, classify(err))
			}
			d, err := m.digest(ctx, prev)
			if err != nil {
				return err
			}
			if d != r.digest {
				return m.inputConflict(ctx, prev, r, db.sql)
			}
			r.present = true
		} else {
			m.seen[r.uuid] = r
		}
		in.runs = append(in.runs, r)
	}
	m.inputs = append(m.inputs, in)
	return nil
}

// upgradedCopy copies input in, from an older exp, into the temporary
// directory (snapshot), upgrades the copy, and opens it: in's runs are
// read from it.
func (m *merger) upgradedCopy(ctx context.Context, in *mergeInput) (*DB, error) {
	dir, err := m.tempDir()
	if err != nil {
		return nil, err
	}
	in.src, in.mode = filepath.Join(dir, fmt.Sprintf("%d.db", len(m.inputs))), "rw"
	if err := snapshot(ctx, in.path, in.src, m.all); err != nil {
		return nil, err
	}
	db, err := openWrite(ctx, in.src, m.all, false)
	if err != nil {
		return nil, fmt.Errorf("%s: upgrade a copy: %w", in.path, err)
	}
	return db, nil
}

// snapshot writes a copy of the exp database at path to dst with VACUUM
// INTO, which sees the content of its WAL too, and never writes the file.
// Beside a -wal file (another exp is writing, or was killed), it reads
// through a read-only connection, which sees the WAL's content and neither
// checkpoints it nor removes it. Otherwise it reads through a read-write
// connection that only reads, as OpenExisting does, so that it leaves no
// -wal or -shm file behind; if that cannot open the file (a WAL file in a
// directory it may not write), it reads the file as immutable.
func snapshot(ctx context.Context, path, dst string, all []migration) error {
	var err error
	for _, mode := range readModes(path) {
		var db *DB
		if db, err = dial(path, mode); err != nil {
			return err
		}
		if _, err = db.schemaVersion(ctx, all, false); err == nil {
			if _, err = db.sql.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
				err = classify(err)
			}
		}
		db.Close()
		if err == nil || !errors.Is(err, ErrCannotOpen) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// modeNow is how to open the file in's runs are read from now: as read
// opened it, unless a -wal file has appeared beside the input or gone
// since, which changes the choice between a read-only and a read-write
// connection (see readModes).
func (in *mergeInput) modeNow() string {
	if in.src != in.path || in.mode == "ro-immutable" {
		return in.mode
	}
	return readModes(in.src)[0]
}

// open opens the file in's runs are read from (in.modeNow): no statement
// through the handle can write.
func (in *mergeInput) open(ctx context.Context) (*DB, error) {
	db, err := dial(in.src, in.modeNow())
	if err != nil {
		return nil, err
	}
	if _, err := db.sql.ExecContext(ctx, `PRAGMA query_only = 1`); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", in.path, classify(err))
	}
	return db, nil
}

// digest returns the RunDigest of input run r, reading it the first time.
func (m *merger) digest(ctx context.Context, r *mergeRun) (string, error) {
	if r.digest != "" {
		return r.digest, nil
	}
	src, err := r.in.open(ctx)
	if err != nil {
		return "", err
	}
	defer src.Close()
	if r.digest, err = runDigest(ctx, src.sql, r.id); err != nil {
		return "", fmt.Errorf("%s: run %s: %w", r.in.path, r.uuid, classify(err))
	}
	return r.digest, nil
}

// inputConflict describes run b of the input being read (through qb),
// whose UUID an earlier input holds with other content (a).
func (m *merger) inputConflict(ctx context.Context, a, b *mergeRun, qb querier) error {
	src, err := a.in.open(ctx)
	if err != nil {
		return err
	}
	defer src.Close()
	return conflict(ctx, b.uuid, a.in.path, src.sql, a.id, b.in.path, qb, b.id)
}
