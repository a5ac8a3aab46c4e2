//go:build unix

package host

import "syscall"

// CPUTimes returns the process's user and system CPU time so far, in
// nanoseconds, from getrusage(RUSAGE_SELF).
func CPUTimes() (userNS, sysNS int64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return ru.Utime.Nano(), ru.Stime.Nano()
}
