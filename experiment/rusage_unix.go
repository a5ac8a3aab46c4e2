//go:build unix

package experiment

import "syscall"

// cpuTimes returns the process's user and system CPU time so far, in
// nanoseconds, from getrusage(RUSAGE_SELF).
func cpuTimes() (userNS, sysNS int64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return ru.Utime.Nano(), ru.Stime.Nano()
}
