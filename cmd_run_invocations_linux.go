package main

import "syscall"

// invocationProcAttr puts an invocation's child exp in a process group of
// its own, so that a terminal's Ctrl-C reaches only the parent, which
// forwards it once; and has the kernel send the child SIGTERM if the
// parent dies first (kill -9), so that no child goes on alone.
func invocationProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
