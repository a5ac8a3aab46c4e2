package experiment

import "errors"

// Sentinel errors of the experiment package.
var (
	// ErrConfig is wrapped by every *ConfigError, so callers can test
	// errors.Is(err, ErrConfig) to tell bad input from a runtime failure.
	ErrConfig = errors.New("invalid experiment file")
	// ErrInterrupted is returned by the Runner when its context is
	// cancelled; the trials finished before it have been emitted. When the
	// context's cause is a *TimeLimit, the error wraps it too.
	ErrInterrupted = errors.New("interrupted")
	// errTrialTimeout is the cause of a trial's context cancelled at
	// Config.Timeout.
	errTrialTimeout = errors.New("trial timeout")
)
