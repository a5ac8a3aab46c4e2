package host

import (
	"bytes"
	"os"
	"strconv"
	"time"
)

// ProcStatTick is the resolution of SystemCPU: /proc/stat counts CPU time
// in USER_HZ ticks, 1/100 s on every Linux architecture exp runs on, and
// each field is rounded down to a tick. The difference of two readings is
// therefore off by up to about a tick per field, which over a 50 ms trial
// is a fifth of a CPU: compare other processes' CPU use with a threshold
// that allows for it.
const ProcStatTick = 10 * time.Millisecond

// SystemCPU returns the CPU time that the whole machine has spent busy
// since boot, summed over all CPUs, in nanoseconds: the user, nice,
// system, irq, softirq and steal fields of the "cpu" line of /proc/stat
// (guest time is already inside user and nice; steal is time a hypervisor
// gave to another machine, noise like any other). ok is false where
// /proc/stat cannot be read or parsed (any OS but Linux). The reading has
// the resolution of ProcStatTick.
//
// Subtracting this process's CPU time (CPUTimes) from the difference of
// two readings leaves the CPU that other processes used in between: see
// OtherCPU.
func SystemCPU() (busyNS int64, ok bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	return parseProcStat(b)
}

// OtherCPU is the CPU time, in nanoseconds, that processes other than
// this one used between two readings: the growth of SystemCPU, busy0 to
// busy1, less the growth of this process's user+system time (CPUTimes),
// own0 to own1. It is never negative: the two clocks have different
// resolutions, and a reading below this process's own time means none.
func OtherCPU(busy0, busy1, own0, own1 int64) int64 {
	return max(0, (busy1-busy0)-(own1-own0))
}

// procStatBusy are the busy fields of the cpu line of /proc/stat, by
// position after the label: user, nice, system, (idle, iowait,) irq,
// softirq, steal. Idle and iowait are not busy; guest and guest_nice are
// counted in user and nice already.
var procStatBusy = []int{0, 1, 2, 5, 6, 7}

// parseProcStat reads the busy time of the aggregate "cpu" line of
// /proc/stat, in nanoseconds (see SystemCPU). Kernels before 2.6.11 have
// no steal field; it then counts as 0.
func parseProcStat(b []byte) (busyNS int64, ok bool) {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := bytes.Fields(line)
	if len(f) < 8 || string(f[0]) != "cpu" {
		return 0, false
	}
	f = f[1:]
	var ticks int64
	for _, i := range procStatBusy {
		if i >= len(f) {
			continue
		}
		v, err := strconv.ParseInt(string(f[i]), 10, 64)
		if err != nil || v < 0 {
			return 0, false
		}
		ticks += v
	}
	return ticks * int64(ProcStatTick), true
}
