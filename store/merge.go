package store

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

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
// Every input is checked before out is opened: an input that is missing,
// not an exp database, damaged (a row linking to one that is not there),
// from a newer exp, or out itself (ErrSameFile) is an error naming it, and
// out is neither created nor changed. Inputs are never written: one at the
// current schema is read where it is, through connections that only read
// (read-only beside a -wal file, as OpenExisting reads it); one from an
// older exp is copied (VACUUM INTO, through such a connection) into a
// temporary directory ($TMPDIR) and the copy upgraded. All runs are then
// written in one transaction: if a UUID is in out, or in two inputs, with
// different content, Merge returns ErrRunConflict naming the UUID, both
// files and the first difference, and writes no run. A run still running
// when the transaction reads it is left out. An out from an older exp,
// which the write upgrades, is merged into an upgraded copy first, so that
// a conflict leaves it as it was. progress, if not nil, is called before
// input i is read.
func Merge(ctx context.Context, out string, inputs []string, progress func(i int, input string)) ([]MergeResult, error) {
	if err := checkPath(out, true); err != nil {
		return nil, err
	}
	all, err := loadMigrations(migrations.FS)
	if err != nil {
		return nil, err
	}
	m := &merger{out: out, all: all, seen: map[string]*mergeRun{}}
	defer func() {
		if m.tmp != "" {
			os.RemoveAll(m.tmp)
		}
	}()
	if st, err := os.Stat(out); err == nil {
		m.outStat = st
	}
	if m.outStat != nil {
		// Check out first, before the inputs are read: a bad out fails at once.
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
	return m.results(), nil
}

// results says, per input, which runs were added, present and running.
func (m *merger) results() []MergeResult {
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
	return results
}

// merger is the state of one Merge.
type merger struct {
	out     string
	outStat fs.FileInfo // nil if out does not exist yet
	tmp     string      // directory of the upgraded copies; "" until one is made
	all     []migration
	inputs  []*mergeInput
	seen    map[string]*mergeRun // by UUID, the first input's run
}

// mergeInput is one input file, and where its runs are read from.
type mergeInput struct {
	path string // the input, as given
	// src is the file the runs are read from: path itself, at the current
	// schema, or an upgraded copy of it in tmp.
	src string
	// mode is how src is opened (see dial): the one openRead found for
	// path (read-only beside a -wal), or "rw" for a copy.
	mode string
	runs []*mergeRun // in id order
}

// mergeRun is a run of an input.
type mergeRun struct {
	in      *mergeInput
	uuid    string
	id      int64  // in the input
	digest  string // RunDigest in the input; "" until another copy of the run needs comparing
	present bool   // out or an earlier input holds it already
	running bool   // still running: left out
}

// tempDir returns the directory of the upgraded copies, making it the
// first time: a merge of files at the current schema needs none.
func (m *merger) tempDir() (string, error) {
	if m.tmp == "" {
		dir, err := os.MkdirTemp("", "exp-merge-*")
		if err != nil {
			return "", fmt.Errorf("merge: %w", err)
		}
		m.tmp = dir
	}
	return m.tmp, nil
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
	dir, err := m.tempDir()
	if err != nil {
		return err
	}
	rehearsal := filepath.Join(dir, "out.db")
	if err := snapshot(ctx, m.out, rehearsal, m.all); err != nil {
		return err
	}
	return m.write(ctx, rehearsal)
}
