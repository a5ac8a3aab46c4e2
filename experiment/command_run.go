package experiment

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// Limits on what exp keeps of a command's stderr when a trial fails.
const (
	StderrTailBytes = 4 << 10 // at most the last 4 KiB
	StderrTailLines = 20      // and of those, at most the last 20 lines
)

// ProcessResult is what one run of a command did, measured by exp.
type ProcessResult struct {
	WallNS int64 // from start to exit on the monotonic clock, nanoseconds
	UserNS int64 // the child's user CPU time (wait4's rusage, its waited-for descendants included), nanoseconds
	SysNS  int64 // the child's system CPU time, nanoseconds
	// MaxRSSKB is the peak resident set size of the child (or of its
	// largest waited-for descendant), kibibytes, from wait4's rusage.
	MaxRSSKB int64
	// ExitStatus is the exit status, 0 to 255, or 128+N when signal N
	// killed the child (as shells report it).
	ExitStatus  int
	TimedOut    bool   // the trial ran past its timeout and exp killed the process group
	StdoutSHA   string // hex SHA-256 of everything written to stdout
	StdoutBytes int64  // bytes written to stdout
	StdoutLines uint64 // newlines written to stdout
	// StderrTail is the end of stderr (StderrTailLines lines, at most
	// StderrTailBytes), kept only when the command failed (non-zero exit
	// or timeout); "" otherwise.
	StderrTail string
}

// ErrStart is wrapped by the error of a command that could not be
// started (no such program, not executable, no such workdir): every trial
// would fail the same way, so the run stops.
var ErrStart = errors.New("cannot start the command")

// RunTrial runs the command once for cell c: the argv and env with
// placeholders substituted, EXP_WORKERS set, in Dir, stdin empty, in a
// process group of its own. Stdout is hashed as it streams, never kept;
// stderr's tail is kept if the command fails. At timeout (0: none) exp
// kills the whole process group, so that a shell's children die too, and
// the result has TimedOut. When ctx is done it kills the group likewise
// and returns ErrInterrupted (stopped), with no result. It returns an
// error wrapping ErrStart if the process could not be started.
func (m *Command) RunTrial(ctx context.Context, c Cell, timeout time.Duration) (ProcessResult, error) {
	var res ProcessResult
	argv := m.ArgvFor(c)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = m.Dir
	cmd.Env = append(os.Environ(), m.EnvFor(c)...)
	setProcessGroup(cmd)
	outR, outW, err := os.Pipe()
	if err != nil {
		return res, fmt.Errorf("stdout pipe: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return res, fmt.Errorf("stderr pipe: %w", err)
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	out := &stdoutDigest{h: sha256.New()}
	tail := &tailBuffer{}
	var readers sync.WaitGroup
	readers.Go(func() { io.Copy(out, outR); outR.Close() })
	readers.Go(func() { io.Copy(tail, errR); errR.Close() })
	start := time.Now()
	err = cmd.Start()
	outW.Close() // the child holds its own copies
	errW.Close()
	if err != nil {
		readers.Wait()
		return res, fmt.Errorf("%w %s in %s: %w", ErrStart, ShellJoin(argv), m.Dir, err)
	}
	pgid := cmd.Process.Pid
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var expire <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expire = t.C
	}
	select {
	case err = <-done:
	case <-expire:
		res.TimedOut = true
		killGroup(pgid)
		cmd.Process.Kill()
		err = <-done
	case <-ctx.Done():
		killGroup(pgid)
		cmd.Process.Kill()
		<-done
		killGroup(pgid)
		drain(&readers, outR, errR)
		return res, stopped(ctx)
	}
	res.WallNS = int64(time.Since(start))
	// Children left running in the background would hold the pipes open
	// and use the CPU during the next trial.
	killGroup(pgid)
	heldOpen := !drain(&readers, outR, errR)
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return res, fmt.Errorf("wait for %s: %w", argv[0], err)
	}
	res.ExitStatus = exitStatus(cmd.ProcessState)
	res.UserNS, res.SysNS, res.MaxRSSKB = usage(cmd.ProcessState)
	res.StdoutSHA, res.StdoutBytes, res.StdoutLines = hex.EncodeToString(out.h.Sum(nil)), out.n, out.lines
	if res.TimedOut || res.ExitStatus != 0 {
		res.StderrTail = tail.String()
	}
	if heldOpen {
		// Its stdout may be cut short: the hash then differs from a full
		// one's, and check: stdout calls the trial wrong.
		res.StderrTail = strings.TrimLeft(res.StderrTail+"\n"+heldOpenNote, "\n")
	}
	return res, nil
}

// DrainGrace is how long exp reads a command's stdout and stderr after
// the command exited and its process group was killed. A process that left
// the group (setsid, a daemon) and keeps the pipes open would otherwise
// hold the trial, its timeout and Ctrl-C forever.
var DrainGrace = 2 * time.Second

// heldOpenNote is kept with a trial whose output a stray process held open.
const heldOpenNote = "exp: a process the command started outside its process group (setsid, a daemon) kept stdout or stderr open; exp stopped reading them"

// drain waits up to DrainGrace for the readers of a command's output to
// reach the end, then closes the read ends, which ends them; it reports
// whether they ended by themselves.
func drain(readers *sync.WaitGroup, pipes ...*os.File) bool {
	finished := make(chan struct{})
	go func() { readers.Wait(); close(finished) }()
	select {
	case <-finished:
		return true
	case <-time.After(DrainGrace):
		for _, p := range pipes {
			p.Close()
		}
		<-finished
		return false
	}
}

// stdoutDigest hashes and counts what it is written.
type stdoutDigest struct {
	h     hash.Hash
	n     int64
	lines uint64
}

func (d *stdoutDigest) Write(p []byte) (int, error) {
	d.h.Write(p)
	d.n += int64(len(p))
	d.lines += uint64(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}

// tailBuffer keeps the last bytes written to it, at least StderrTailBytes.
type tailBuffer struct{ b []byte }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 2*StderrTailBytes {
		t.b = append(t.b[:0], t.b[len(t.b)-StderrTailBytes:]...)
	}
	return len(p), nil
}

// String returns the tail: the last StderrTailLines lines within the last
// StderrTailBytes, as valid UTF-8, without a final newline.
func (t *tailBuffer) String() string {
	b := t.b
	if len(b) > StderrTailBytes {
		b = b[len(b)-StderrTailBytes:]
	}
	s := strings.TrimRight(strings.ToValidUTF8(string(b), "\uFFFD"), "\n")
	lines := strings.Split(s, "\n")
	if len(lines) > StderrTailLines {
		lines = lines[len(lines)-StderrTailLines:]
	}
	return strings.Join(lines, "\n")
}

// lastLine returns the last non-empty line of s, for one-line messages.
func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}
