package experiment

import (
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/exp-tool/exp/host"
)

// Status is the state of a run.
type Status string

// Run statuses.
const (
	StatusRunning     Status = "running"     // trials are being added (or the process died)
	StatusDone        Status = "done"        // every planned trial finished and matched
	StatusInterrupted Status = "interrupted" // stopped early; finished trials are kept
	StatusFailed      Status = "failed"      // a trial disagreed with the reference, or the run broke
	// StatusAbandoned is derived, never stored: the run is stored as
	// running, but the exp executing it stopped writing its heartbeat
	// (killed by SIGKILL, or its machine went down). The store reports it
	// when reading; `exp run --resume` finishes such a run.
	StatusAbandoned Status = "abandoned"
)

// InvocationKind says how an exp process came to execute a run.
type InvocationKind string

// The kinds of invocation.
const (
	InvocationStart  InvocationKind = "start"  // `exp run FILE` (or exp reproduce) created the run
	InvocationResume InvocationKind = "resume" // `exp run --resume RUN` went on with it
)

// Invocation is one exp process that executed trials of a run.
type Invocation struct {
	Kind       InvocationKind // how the process came to run it
	StartedAt  time.Time      // when it took the run, UTC
	FinishedAt time.Time      // when it recorded how the run ended, UTC; zero while running or if it was killed
	Hostname   string         // machine it ran on
	Trials     int            // trials it added to the run
}

// Run is one execution of an experiment file: what was asked, where it ran
// and how it ended.
type Run struct {
	ID           int64     // database id, assigned by the store
	UUID         string    // globally unique id (UUIDv7), stable across merged databases
	Reproduces   string    // UUID of the run this one reproduces; "" if none
	Name         string    // experiment name from the file
	Status       Status    // state of the run
	StartedAt    time.Time // when the run started, UTC
	FinishedAt   time.Time // when it ended, UTC; zero while running
	ConfigPath   string    // experiment file's absolute path (as given, in runs from before exp made it absolute)
	ConfigYAML   string    // experiment file, verbatim
	ConfigSHA256 string    // hex SHA-256 of ConfigYAML
	Seed         int64     // seed of the trial order
	Kernel       string    // kernel name
	Scaling      string    // ScalingStrong or ScalingWeak: whether the work grew with the workers
	CPUBound     bool      // whether the kernel keeps a CPU busy (Config.CPUBound); false for synthetic sleep
	Repeats      int       // measured trials per cell
	Warmup       int       // warmup trials per cell
	Chunk        int       // numbers per chunk for the chunked schedule
	Host         host.Host // machine and build the run executed on
	Error        string    // why the run failed or stopped, if it did
	Trials       int       // trials stored for the run (filled in by the store when listing)
	// HeartbeatAt is the last time the exp executing the run said it was
	// alive, UTC; zero if none was recorded (a run from an exp before
	// heartbeats). Filled in by the store.
	HeartbeatAt time.Time
	// Command is kernel command's program as the file wrote it: Argv, Env,
	// Workdir and Check (Inputs and Dir are not kept: the cells name the
	// inputs); nil for in-process kernels.
	Command *Command
	// Invocations is how many exp processes executed the run: 1 for the
	// one that started it, plus one per `exp run --resume`. Filled in by
	// the store; a run whose trials come from several invocations may mix
	// machine states (or machines, with --any-host).
	Invocations int
	// ProcessInvocations is how many fresh exp processes the run's trials
	// are planned to be split over (Config.Invocations, at least 1); each
	// trial records which one ran it (Step.Invocation). Not Invocations
	// above: one exp command runs all of them in turn.
	ProcessInvocations int
	// Shard is the part of the matrix the run ran (exp run --shard); the
	// zero Shard for the whole matrix.
	Shard Shard
	// Batch is the Slurm job and node that started the run; Node "" and
	// ArrayTaskID -1 for a run from before exp recorded them.
	Batch BatchJob
}

// NewRun describes a run of plan p on host h starting at now. The UUID is
// version 7: time-ordered, random in its low bits.
func NewRun(p *Plan, h host.Host, now time.Time) (Run, error) {
	id, err := newUUIDv7(now)
	if err != nil {
		return Run{}, err
	}
	c := p.Config
	sum := sha256.Sum256(c.Source)
	// Absolute, so that a resume or reproduction from another directory
	// finds what the file names relative to itself (workdir, inputs).
	path := c.File
	if abs, err := filepath.Abs(path); err == nil && path != "" {
		path = abs
	}
	var command *Command
	if c.Kernel == "command" {
		command = c.Command
	}
	return Run{Command: command, Shard: p.Shard, Batch: BatchJob{ArrayTaskID: -1},
		UUID: id, Name: c.Name, Status: StatusRunning, StartedAt: now.UTC(),
		ConfigPath: path, ConfigYAML: string(c.Source), ConfigSHA256: hex.EncodeToString(sum[:]),
		Seed: p.Seed, Kernel: c.Kernel, Scaling: cmp.Or(c.Scaling, ScalingStrong), CPUBound: c.CPUBound(), Repeats: c.Repeats, Warmup: c.Warmup, Chunk: c.Chunk, Host: h,
		ProcessInvocations: c.NumInvocations(),
	}, nil
}

// newUUIDv7 returns an RFC 9562 version 7 UUID for time t.
func newUUIDv7(t time.Time) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[6:]); err != nil {
		return "", fmt.Errorf("uuid: %w", err)
	}
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(t.UnixMilli()))
	copy(b[:6], ms[2:])
	b[6] = 0x70 | b[6]&0x0f // version 7
	b[8] = 0x80 | b[8]&0x3f // variant 10
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

// Conclude decides how a run ended from what the Runner returned: the
// Summary of its trials, how many were planned, and its error.
// Interrupted (ErrInterrupted, also at a *TimeLimit) wins, then a stop
// (ErrStopped, also interrupted), then a runtime error, then wrong answers;
// otherwise the run is done, even if some trials timed out (they have no
// wrong answer). msg says why, empty when done.
func Conclude(sum Summary, planned int, runErr error) (status Status, msg string) {
	var limit *TimeLimit
	switch {
	case errors.As(runErr, &limit) && errors.Is(runErr, ErrInterrupted):
		return StatusInterrupted, fmt.Sprintf("%s; %d of %d trials done", limit, sum.Trials, planned)
	case errors.Is(runErr, ErrInterrupted):
		return StatusInterrupted, fmt.Sprintf("interrupted after %d of %d trials", sum.Trials, planned)
	case errors.Is(runErr, ErrStopped):
		return StatusInterrupted, fmt.Sprintf("stopped after %d of %d trials: %v", sum.Trials, planned, runErr)
	case runErr != nil:
		return StatusFailed, runErr.Error()
	case sum.Failed > 0:
		return StatusFailed, fmt.Sprintf("%d of %d trials found a wrong answer", sum.Failed, sum.Trials)
	}
	return StatusDone, ""
}
