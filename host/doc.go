// Package host reads facts about the machine and the build that a run
// executes on: CPU model and count, GOMAXPROCS, the cgroup CPU quota, the
// frequency governor, the kernel release, the VCS revision of exp itself,
// the load average, and the CPU time of the process and of the whole
// machine (/proc/stat), whose difference is what other processes used. The
// runner stores them with each run and trial so that a result can be
// explained and reproduced.
//
// It only reads (/proc, /sys, getrusage, git under go run), never fails
// (an unreadable fact is left empty or zero) and imports no exp package.
package host
