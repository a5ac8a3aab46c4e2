package experiment

import (
	"context"
	"fmt"
	"io"
	"os"
)

// Load reads and parses the experiment file at path. Every problem with the
// file, including failing to read it or one larger than MaxFileSize, is a
// *ConfigError. Reading and parsing honour ctx: opening a named pipe that
// no one writes to blocks, so Load returns an error wrapping
// ErrInterrupted (and the context's cause) as soon as ctx is done, leaving
// the blocked read behind.
func Load(ctx context.Context, path string) (*Config, error) {
	if err := ctx.Err(); err != nil {
		return nil, interruptedLoad(ctx, path)
	}
	type result struct {
		c   *Config
		err error
	}
	done := make(chan result, 1) // buffered: the goroutine never blocks on it
	go func() {
		data, err := readLimited(path)
		if err != nil {
			done <- result{nil, err}
			return
		}
		c, err := Parse(path, data)
		done <- result{c, err}
	}()
	select {
	case r := <-done:
		return r.c, r.err
	case <-ctx.Done():
		return nil, interruptedLoad(ctx, path)
	}
}

func interruptedLoad(ctx context.Context, path string) error {
	return fmt.Errorf("%s: %w while reading the experiment file (%w)", path, ErrInterrupted, context.Cause(ctx))
}

// readLimited reads the file at path, refusing one larger than
// MaxFileSize: a regular file by its size, before reading it; a pipe or
// device by reading at most one byte more than the limit.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &ConfigError{File: path, Msg: fmt.Sprintf("cannot read experiment file: %v", err), Err: err}
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > MaxFileSize {
		return nil, sizeError(path, fmt.Sprintf("%d bytes", st.Size()))
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, &ConfigError{File: path, Msg: fmt.Sprintf("cannot read experiment file: %v", err), Err: err}
	}
	if len(data) > MaxFileSize {
		return nil, sizeError(path, fmt.Sprintf("more than %d bytes", MaxFileSize))
	}
	return data, nil
}

// sizeError says that the file is larger than MaxFileSize; size says how
// large it is.
func sizeError(file, size string) *ConfigError {
	return &ConfigError{File: file, Msg: fmt.Sprintf("the file is %s (at most %d bytes, 1 MiB, are read; an experiment file is a few hundred)", size, MaxFileSize)}
}
