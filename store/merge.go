package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/migrations"
)

// MergeResult is what Merge did with one input file.
type MergeResult struct {
	Input   string   // the input file, as given
	Added   []string // UUIDs of the runs copied into the output, in the input's id order
	Present []string // UUIDs of the runs the output (or an earlier input) already held with the same content
	// Running are the UUIDs of the runs left out because they are still
	// running (marked running, with a fresh heartbeat): their exp is still
	// adding trials, and a copy would soon differ from them. Merge the file
	// again once they end.
	Running []string
}

// Merge copies the runs of the exp databases inputs into the database at
// out, creating it if missing (see Open), and returns what it did with
// each input. Runs are keyed by UUID: a run whose UUID out already holds
// with the same content (see RunDigest) is skipped, so merging a file
// twice changes nothing. Ids are renumbered in out; cells, trials, their
// workers and the run's invocations are copied whole, with their links.
//
// Every input is checked, copied (VACUUM INTO, through a connection that
// only reads, so that the input is never written) into a temporary
// directory ($TMPDIR) and the copy upgraded to the current schema, before
// out is opened: an input that is missing, not an exp database, damaged,
// from a newer exp, or out itself (ErrSameFile) is an error naming it, and
// out is neither created nor changed. All runs are then written in one
// transaction: if a UUID is in out, or in two inputs, with different
// content, Merge returns ErrRunConflict naming the UUID, both files and the
// first difference, and writes no run. An out from an older exp, which the
// write upgrades, is merged into an upgraded copy first, so that a
// conflict leaves it as it was. progress, if not nil, is called before
// input i is read.
func Merge(ctx context.Context, out string, inputs []string, progress func(i int, input string)) ([]MergeResult, error) {
	if err := checkPath(out, true); err != nil {
		return nil, err
	}
	all, err := loadMigrations(migrations.FS)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "exp-merge-*")
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	defer os.RemoveAll(tmp)
	m := &merger{out: out, tmp: tmp, all: all, seen: map[string]*mergeRun{}}
	if st, err := os.Stat(out); err == nil {
		m.outStat = st
	}
	if m.outStat != nil {
		// Check out first, before the inputs are copied: a bad out fails at once.
		db, err := openRead(ctx, out, all)
		if err != nil {
			return nil, err
		}
		db.Close()
	}
	for i, in := range inputs {
		if progress != nil {
			progress(i, in)
		}
		if err := m.read(ctx, in); err != nil {
			return nil, err
		}
	}
	if m.outStat != nil {
		if err := m.rehearse(ctx); err != nil {
			return nil, err
		}
	}
	if err := m.write(ctx, out); err != nil {
		if m.outStat == nil {
			// Merge made out: leave no empty database behind.
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(out + suffix)
			}
		}
		return nil, err
	}
	results := make([]MergeResult, len(m.inputs))
	for i, in := range m.inputs {
		results[i] = MergeResult{Input: in.path, Added: []string{}, Present: []string{}, Running: []string{}}
		for _, r := range in.runs {
			if r.running {
				results[i].Running = append(results[i].Running, r.uuid)
			} else if r.present {
				results[i].Present = append(results[i].Present, r.uuid)
			} else {
				results[i].Added = append(results[i].Added, r.uuid)
			}
		}
	}
	return results, nil
}

// merger is the state of one Merge.
type merger struct {
	out     string
	outStat fs.FileInfo // nil if out does not exist yet
	tmp     string      // directory of the inputs' upgraded copies
	all     []migration
	inputs  []*mergeInput
	seen    map[string]*mergeRun // by UUID, the first input's run
}

// mergeInput is one input file and its upgraded copy.
type mergeInput struct {
	path, copy string
	runs       []*mergeRun // in id order
}

// mergeRun is a run of an input.
type mergeRun struct {
	in      *mergeInput
	uuid    string
	id      int64 // in the input
	digest  string
	present bool // out or an earlier input holds it already
	running bool // still running: left out
}

// read checks input path, makes its upgraded copy, and digests its runs.
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
	in := &mergeInput{path: path, copy: filepath.Join(m.tmp, fmt.Sprintf("%d.db", len(m.inputs)))}
	if err := snapshot(ctx, path, in.copy, m.all); err != nil {
		return err
	}
	db, err := openWrite(ctx, in.copy, m.all, false)
	if err != nil {
		return fmt.Errorf("%s: upgrade a copy: %w", path, err)
	}
	defer db.Close()
	// A row linking to one that is not there would fail only once out is
	// open; a file exp wrote (foreign keys on) has none.
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

// write opens the output file path (out, or a rehearsal copy of it) and,
// in one transaction, checks every run to add against its runs of the
// same UUID, then copies those it lacks.
func (m *merger) write(ctx context.Context, path string) error {
	db, err := Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	// SQLite cannot attach a file inside a transaction: attach the copies
	// that have runs to add first, to the handle's one connection.
	attached := map[*mergeInput]string{}
	for i, in := range m.inputs {
		if len(attached) == maxAttached || !slices.ContainsFunc(in.runs, func(r *mergeRun) bool { return !r.present && !r.running }) {
			continue
		}
		schema := fmt.Sprintf("input%d", i)
		if _, err := db.sql.ExecContext(ctx, `ATTACH DATABASE ? AS `+schema, in.copy); err != nil {
			return db.fail("merge: attach the copy of "+in.path, err)
		}
		attached[in] = schema
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return db.fail("merge", err)
	}
	defer tx.Rollback()
	for _, in := range m.inputs {
		for _, r := range in.runs {
			if r.present || r.running {
				continue
			}
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM runs WHERE uuid = ?`, r.uuid).Scan(&id)
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
			in, err := m.digest(ctx, r)
			if err != nil {
				return err
			}
			if d != in {
				return m.outConflict(ctx, tx, id, r)
			}
			r.present = true
		}
	}
	for _, in := range m.inputs {
		if err := m.copyInput(ctx, tx, in, attached[in]); err != nil {
			return db.fail("merge "+in.path, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return db.fail("merge", err)
	}
	return nil
}

// rehearse merges into an upgraded copy of out if out is from an older
// exp, which the write would upgrade before it finds a conflict: so a
// merge that fails leaves out as it was, schema included.
func (m *merger) rehearse(ctx context.Context) error {
	db, err := openRead(ctx, m.out, m.all)
	if err != nil {
		return err
	}
	older := db.old != 0
	db.Close()
	if !older {
		return nil
	}
	rehearsal := filepath.Join(m.tmp, "out.db")
	if err := snapshot(ctx, m.out, rehearsal, m.all); err != nil {
		return err
	}
	return m.write(ctx, rehearsal)
}

// copyInput copies the runs of in that out lacks into tx, from its copy
// attached to tx's connection as schema (copyAttached) or, with no schema,
// row by row (copyRun), when it checks that each reads back with the
// digest it had in the input.
func (m *merger) copyInput(ctx context.Context, tx *sql.Tx, in *mergeInput, schema string) error {
	var src *DB
	for _, r := range in.runs {
		if r.present || r.running {
			continue
		}
		if schema != "" {
			// One INSERT ... SELECT per table copies every row or fails:
			// reading the copy back for its digest would double the work.
			if _, err := copyAttached(ctx, tx, schema, r.id); err != nil {
				return fmt.Errorf("run %s: %w", r.uuid, err)
			}
			continue
		}
		if src == nil {
			var err error
			if src, err = dial(in.copy, "rw"); err != nil {
				return err
			}
			defer src.Close()
		}
		id, err := copyRun(ctx, src.sql, tx, r.id)
		if err != nil {
			return fmt.Errorf("run %s: %w", r.uuid, err)
		}
		d, err := runDigest(ctx, tx, id)
		if err != nil {
			return fmt.Errorf("run %s: check the copy: %w", r.uuid, err)
		}
		want, err := m.digest(ctx, r)
		if err != nil {
			return err
		}
		if d != want {
			return fmt.Errorf("run %s: the copy's content differs from the input's", r.uuid)
		}
	}
	return nil
}

// inputConflict describes run b of the input being read (through qb),
// whose UUID an earlier input holds with other content (a).
func (m *merger) inputConflict(ctx context.Context, a, b *mergeRun, qb querier) error {
	src, err := dial(a.in.copy, "rw")
	if err != nil {
		return err
	}
	defer src.Close()
	return conflict(ctx, b.uuid, a.in.path, src.sql, a.id, b.in.path, qb, b.id)
}

// outConflict describes run r of an input, whose UUID out holds with other
// content, as run id.
func (m *merger) outConflict(ctx context.Context, tx *sql.Tx, id int64, r *mergeRun) error {
	src, err := dial(r.in.copy, "rw")
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

// digest returns the RunDigest of input run r, reading it the first time.
func (m *merger) digest(ctx context.Context, r *mergeRun) (string, error) {
	if r.digest != "" {
		return r.digest, nil
	}
	src, err := dial(r.in.copy, "rw")
	if err != nil {
		return "", err
	}
	defer src.Close()
	if r.digest, err = runDigest(ctx, src.sql, r.id); err != nil {
		return "", fmt.Errorf("%s: run %s: %w", r.in.path, r.uuid, classify(err))
	}
	return r.digest, nil
}
