package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// stopSignals stop exp in order: Ctrl-C (SIGINT), kill's default
// (SIGTERM), and a closed terminal (SIGHUP). The run stops starting
// trials, keeps every finished one and is marked interrupted; exp then
// exits with 128 + the signal's number, as a shell reports a process the
// signal killed.
var stopSignals = []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}

// exitInterrupted is the exit status of an interrupt with no signal (a
// cancelled context in tests): SIGINT's.
const exitInterrupted = 128 + int(syscall.SIGINT)

// signalCause is the cause of run's context when a signal stopped exp.
type signalCause struct{ sig syscall.Signal }

// Error names the signal.
func (s signalCause) Error() string { return "stopped by " + signalName(s.sig) }

// signalName is the conventional name of a stop signal.
func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return s.String()
}

// interruptStatus is the exit status of an interrupted exp whose context
// was cancelled with cause: 128 + the signal's number (130 SIGINT, 143
// SIGTERM, 129 SIGHUP), or exitInterrupted without a signal.
func interruptStatus(cause error) int {
	if s, ok := cause.(signalCause); ok {
		return 128 + int(s.sig)
	}
	return exitInterrupted
}

// handleSignals returns a context that the first stop signal cancels, with
// a signalCause, and a function that stops listening. Signals the process
// was started with ignored stay ignored (nohup's SIGHUP, SIGINT of a
// background job). After the first signal, a SIGINT or SIGTERM says so on
// stderr and calls exit(128 + its number) at once, without waiting for the
// run to be marked: every trial is committed in one transaction, so the
// file stays consistent, and the run reads as abandoned until resumed. A
// SIGHUP after the first signal (the terminal closing while exp stops) is
// ignored.
func handleSignals(stderr io.Writer, exit func(int)) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	for _, s := range stopSignals {
		if !signal.Ignored(s) {
			signal.Notify(sigs, s)
		}
	}
	done := make(chan struct{})
	go func() {
		var first os.Signal
		select {
		case first = <-sigs:
		case <-done:
			return
		}
		cancel(signalCause{first.(syscall.Signal)})
		for {
			select {
			case s := <-sigs:
				if s == syscall.SIGHUP {
					continue
				}
				sig := s.(syscall.Signal)
				fmt.Fprintf(stderr, "\nexp: %s again: exiting at once; committed trials are kept, and `exp run --resume RUN` finishes the run once `exp runs` shows it abandoned\n", signalName(sig))
				exit(128 + int(sig))
			case <-done:
				return
			}
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(nil)
	}
}
