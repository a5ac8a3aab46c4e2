//go:build unix

package experiment

import (
	"os"
	"os/exec"
	"syscall"
)

// setProcessGroup makes the command the leader of a new process group, so
// that killGroup reaches its children, and so that a Ctrl-C at the
// terminal reaches exp alone (exp then kills the group itself).
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killGroup sends SIGKILL to the process group pgid. A group already gone
// is no error.
func killGroup(pgid int) { _ = syscall.Kill(-pgid, syscall.SIGKILL) }

// exitStatus is the exit status, or 128+N when signal N killed the process.
func exitStatus(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

// usage returns the CPU times, nanoseconds, and peak RSS, KiB (Linux's
// unit of ru_maxrss), of the waited-for process from wait4's rusage.
func usage(ps *os.ProcessState) (userNS, sysNS, maxRSSKB int64) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, 0, 0
	}
	return ru.Utime.Nano(), ru.Stime.Nano(), int64(ru.Maxrss)
}
