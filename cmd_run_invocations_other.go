//go:build !linux

package main

import "syscall"

// invocationProcAttr puts an invocation's child exp in a process group of
// its own, so that a terminal's Ctrl-C reaches only the parent, which
// forwards it once. (Only Linux can also tie the child's life to the
// parent's.)
func invocationProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
