//go:build !unix

package experiment

// cpuTimes is not available on this platform; trials record zero CPU time.
func cpuTimes() (userNS, sysNS int64) { return 0, 0 }
