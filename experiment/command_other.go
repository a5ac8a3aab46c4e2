//go:build !unix

package experiment

import (
	"os"
	"os/exec"
)

// setProcessGroup does nothing here: process groups are a Unix feature,
// and a timed-out command's children may outlive it.
func setProcessGroup(*exec.Cmd) {}

// killGroup cannot reach a group here; the Runner kills the process it
// started through os.Process instead.
func killGroup(int) {}

// exitStatus is the exit code.
func exitStatus(ps *os.ProcessState) int { return ps.ExitCode() }

// usage returns the CPU times the platform reports and no peak RSS.
func usage(ps *os.ProcessState) (userNS, sysNS, maxRSSKB int64) {
	return ps.UserTime().Nanoseconds(), ps.SystemTime().Nanoseconds(), 0
}
