package store

import (
	"context"
	"fmt"
	"time"

	"github.com/exp-tool/exp/experiment"
)

// CommitRetries are the waits before each retry of a commit that found
// the database locked by another process after waiting BusyTimeout: 8
// attempts in all, 60 s of waiting between them, so that a commit gives up
// after about 2 min 20 s with the default BusyTimeout of 10 s. A finished
// trial is kept in memory meanwhile.
var CommitRetries = []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second,
	15 * time.Second, 15 * time.Second, 15 * time.Second}

// Busy describes a retry of a commit that found the database locked, for
// Recorder.OnBusy.
type Busy struct {
	What     string        // what is being committed, such as "trial 12"
	Wait     time.Duration // how long exp waits before the next attempt
	Attempt  int           // the attempt about to be made, from 2
	Attempts int           // attempts in all
}

// String says what is happening, as exp prints it on stderr.
func (b Busy) String() string {
	return fmt.Sprintf("database is locked; retrying %s in %s (attempt %d of %d)", b.What, b.Wait, b.Attempt, b.Attempts)
}

// retryBusy runs op until it succeeds, fails with anything but SQLITE_BUSY,
// or has failed len(waits)+1 times, waiting waits[i] (after telling
// notify, if set) before attempt i+2. Waiting ends early when ctx is done.
// After the last attempt it returns an error wrapping ErrLocked and
// experiment.ErrStopped.
func retryBusy(ctx context.Context, what string, waits []time.Duration, notify func(Busy), op func() error) error {
	attempts := len(waits) + 1
	for i := 0; ; i++ {
		err := op()
		if err == nil || !isBusy(err) {
			return err
		}
		if i == len(waits) {
			return fmt.Errorf("%s: %w: another process held the write lock through %d attempts (%w)", what, ErrLocked, attempts, experiment.ErrStopped)
		}
		if notify != nil {
			notify(Busy{What: what, Wait: waits[i], Attempt: i + 2, Attempts: attempts})
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w; not stored: %w", what, ErrLocked, experiment.ErrInterrupted)
		case <-time.After(waits[i]):
		}
	}
}
