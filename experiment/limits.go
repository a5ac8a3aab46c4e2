package experiment

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TimeLimit is the cause (context.WithTimeoutCause) of a run stopped at
// its time limit, exp run --max-duration. The Runner and References then
// return ErrInterrupted wrapped with it, and Conclude says so, so that the
// run is kept and marked interrupted like one stopped by Ctrl-C.
type TimeLimit struct {
	Limit time.Duration // the run's time limit
}

// Error says which limit stopped the run, as "stopped after
// --max-duration 2h".
func (e *TimeLimit) Error() string { return "stopped after --max-duration " + ShortDuration(e.Limit) }

// stopped is the error for work stopped because ctx is done:
// ErrInterrupted, wrapped with the *TimeLimit that caused it, if one did.
func stopped(ctx context.Context) error {
	var tl *TimeLimit
	if errors.As(context.Cause(ctx), &tl) {
		return fmt.Errorf("%w: %w", ErrInterrupted, tl)
	}
	return ErrInterrupted
}

// ShortDuration renders d as time.Duration does, without the zero units
// it leaves at the end: 2h, 1h30m, 30s, 1m30s, 250ms.
func ShortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Stopped is the error of work that ctx cut short: ErrInterrupted,
// wrapping ctx's *TimeLimit cause, if any. exp's command uses it for a run
// whose trials ran in child processes (Config.Invocations).
func Stopped(ctx context.Context) error { return stopped(ctx) }
