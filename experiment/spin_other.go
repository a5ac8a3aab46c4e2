//go:build !linux

package experiment

import (
	"context"
	"time"
)

// spin burns about d of CPU time by spinning a calibrated number of
// iterations (spinCalibrated): a fixed amount of CPU work, not a wall-clock
// deadline. Only Linux reads the thread's CPU clock directly (spin_linux.go).
func spin(ctx context.Context, d time.Duration) bool { return spinCalibrated(ctx, d) }
