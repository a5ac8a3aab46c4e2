//go:build !unix

package host

// CPUTimes is not available on this platform; trials record zero CPU time.
func CPUTimes() (userNS, sysNS int64) { return 0, 0 }
