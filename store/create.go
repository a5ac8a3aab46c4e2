package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// createNew makes a new exp database at path, which did not exist, all at
// once: it builds the schema in a temporary file beside path and links
// that into place, so that no one ever sees a half-made database at path,
// and an empty file there is never one another exp is creating (exp
// refuses empty files). If another exp linked its own first, createNew
// leaves that one and returns nil.
func createNew(ctx context.Context, path string, all []migration) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.creating")
	if err != nil {
		return fmt.Errorf("%s: %w (%v)", path, ErrCannotOpen, err)
	}
	name := tmp.Name()
	tmp.Close()
	defer os.Remove(name)
	db, err := dial(name, "rw")
	if err != nil {
		return err
	}
	err = db.migrate(ctx, all, true)
	if err == nil {
		err = db.ensureWAL(ctx)
	}
	// Closing the last connection checkpoints the WAL into the file and
	// removes the -wal and -shm files.
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: create: %w", path, classify(err))
	}
	if err := os.Link(name, path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s: create: %w", path, err)
	}
	return nil
}
