package experiment

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
)

// Defaults for keys an experiment file may leave out.
var (
	DefaultDatabase           = "exp.db"            // database file, relative to the current directory
	DefaultRepeats            = 10                  // measured trials per cell
	DefaultWarmup             = 1                   // unmeasured trials per cell, run first
	DefaultScaling            = ScalingStrong       // how the work grows with the worker count
	DefaultKernel             = "primes"            // kernel name
	DefaultSchedules          = []Schedule{Chunked} // schedules to compare
	DefaultSyntheticSchedules = []Schedule{Static}  // schedules for kernel synthetic (the only one it allows)
	DefaultChunk              = 8                   // numbers per chunk for the chunked schedule
)

// Scalings: how the work of a cell grows with its worker count.
const (
	// ScalingStrong keeps the work fixed as workers are added: the time
	// should fall, and Amdahl's law bounds the speedup by 1/B.
	ScalingStrong = "strong"
	// ScalingWeak grows the work with the workers, count x workers, so that
	// each worker's share stays fixed: the time should stay flat
	// (Gustafson 1988).
	ScalingWeak = "weak"
)

// Scalings lists the scaling values in documentation order.
var Scalings = []string{ScalingStrong, ScalingWeak}

// Limits on experiment files.
const (
	// MaxValue is the largest number a range may reach. Ranges are stored as
	// SQLite INTEGERs, which are signed 64-bit, so exp stops at 2^63-1 even
	// though the kernel itself is exact up to 2^64-1.
	MaxValue = math.MaxInt64
	// MaxWorkers bounds a worker count; each worker is a goroutine.
	MaxWorkers = 1 << 16
	// MaxRepeats bounds repeats and warmup.
	MaxRepeats = 1 << 20
	// MaxTrials bounds the whole matrix, ranges x schedules x workers x
	// (warmup+repeats), so that a typo cannot plan more than memory holds.
	MaxTrials = 10_000_000
	// MaxInvocations bounds invocations: each is an exp process started
	// (and its warmups run) in turn.
	MaxInvocations = 1000
)

// Config is a decoded, validated experiment file.
type Config struct {
	File     string // path the file was read from, as given
	Source   []byte // the file's bytes, verbatim, stored with each run
	Name     string // experiment name (required)
	Database string // database path from the file; "" when absent
	Seed     int64  // seed for the trial order, >= 0; valid only if HasSeed
	HasSeed  bool   // whether the file fixed the seed
	Repeats  int    // measured trials per cell, >= 1; with Adaptive, the most a cell gets (Adaptive.Max)
	Warmup   int    // unmeasured trials per cell, >= 0; with Invocations > 1, per cell and invocation
	// Invocations is how many fresh exp processes the run's trials are
	// split over, one after the other, 1 .. MaxInvocations, <= Repeats:
	// each runs its own Warmup warmups of every cell, then its share of
	// the cell's Repeats (see NewPlan). 0 (the file leaves it out) and 1
	// are one process, as before invocations existed.
	// Not to be confused with Run.Invocations, the exp commands (start,
	// resumes) that executed a run.
	Invocations int
	Scaling     string     // ScalingStrong or ScalingWeak; "" means strong
	Kernel      string     // kernel name, a key of Kernels
	Synthetic   *Synthetic // settings of kernel synthetic; nil for other kernels
	Command     *Command   // settings of kernel command; nil for other kernels
	// Ranges are the input ranges as written, at least one. For kernel
	// synthetic, which has no ranges key, Parse sets the single range
	// {Start: 0, Count: Synthetic.Parallel in SyntheticUnits}; for kernel
	// command, one {Start: i, Count: 1} per input i (a single {0, 1}
	// without inputs).
	Ranges    []Range
	Workers   []int      // worker counts, each >= 1, at least one
	Schedules []Schedule // schedules, at least one
	Chunk     int        // numbers per chunk for Chunked, >= 1
	// Timeout is the longest a trial may take, wall time, > 0 in whole
	// microseconds; 0 when the file sets none. A trial that exceeds it is
	// cancelled and stored as timed out (Trial.TimedOut), and the run goes on.
	Timeout time.Duration
	// Hooks are the programs run around the trials (setup, prepare,
	// conclude, cleanup); nil when the file sets none.
	Hooks *Hooks
	// Expect are the scaling gates judged when the run ends, as exp check
	// judges them; nil when the file sets none.
	Expect []Expectation
	// Adaptive is repeats written as {min, max, precision}: trials run in
	// rounds until each cell's median is precise enough (see Stopper); nil
	// when repeats is an integer.
	Adaptive *Adaptive
}

// Range is the half-open interval of integers [Start, Start+Count).
type Range struct {
	Start uint64 // first number
	Count uint64 // how many numbers, >= 1
}

// Last returns the last number in the range, Start+Count-1.
func (r Range) Last() uint64 { return r.Start + r.Count - 1 }

// String renders the range as [start, +count).
func (r Range) String() string { return fmt.Sprintf("[%d, +%d)", r.Start, r.Count) }

// topKeys lists the keys an experiment file may have, in documentation order.
var topKeys = []string{"name", "database", "seed", "repeats", "warmup", "invocations", "scaling", "kernel", "synthetic", "ranges", "workers", "schedules", "chunk", "timeout",
	"command", "inputs", "check", "env", "workdir", "setup", "prepare", "conclude", "cleanup", "expect"}

// syntheticKeys lists the keys of the synthetic mapping.
var syntheticKeys = []string{"serial", "parallel", "mode", "process_jitter"}

// Parse decodes and validates an experiment file. file names it in errors.
// It returns a *ConfigError naming the line, column and field of the first
// problem found. The limits (MaxFileSize, valid UTF-8, MaxTokens, MaxDepth,
// the list and mapping lengths) are checked before the YAML parser sees
// the file, so that no file can make it use much memory.
func Parse(file string, data []byte) (*Config, error) {
	if len(data) > MaxFileSize {
		return nil, sizeError(file, fmt.Sprintf("%d bytes", len(data)))
	}
	// A UTF-8 byte order mark is not part of the YAML text (editors add it
	// unseen); columns on line 1 then count from after it.
	text := bytes.TrimPrefix(data, []byte("\ufeff"))
	if err := prescan(file, text); err != nil {
		return nil, err
	}
	tokens := lexer.Tokenize(string(text))
	if err := checkShape(file, tokens); err != nil {
		return nil, err
	}
	// Duplicate keys are left to exp's decoder, which names the whole field.
	f, err := parser.Parse(tokens, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		return nil, fromYAML(file, err)
	}
	d := &decoder{file: file}
	var bodies []ast.Node
	for _, doc := range f.Docs {
		if _, directive := doc.Body.(*ast.DirectiveNode); doc.Body != nil && !directive {
			bodies = append(bodies, doc.Body)
		}
	}
	var body ast.Node
	if len(bodies) > 1 {
		return nil, d.errAt(bodies[1], "", "the file holds %d YAML documents; exp reads exactly one", len(bodies))
	}
	if len(bodies) == 1 {
		body = bodies[0]
	}
	if body == nil {
		return nil, &ConfigError{File: file, Line: 1, Col: 1, Msg: "the file is empty (an experiment needs at least name, ranges and workers)"}
	}
	kv, err := d.mapping(body, "", topKeys)
	if err != nil {
		return nil, err
	}
	c := &Config{File: file, Source: slices.Clone(data), Repeats: DefaultRepeats, Warmup: DefaultWarmup,
		Scaling: DefaultScaling, Kernel: DefaultKernel, Schedules: slices.Clone(DefaultSchedules), Chunk: DefaultChunk}
	// The kernel decides which keys are required; its value is checked
	// properly below.
	kernel := ""
	if n := kv["kernel"]; n != nil {
		if s, ok := n.Value.(*ast.StringNode); ok {
			kernel = s.Value
		}
	}
	synthetic := kernel == "synthetic"
	for _, key := range []string{"name", "ranges", "workers"} {
		if kv[key] == nil && !(key == "ranges" && (synthetic || kernel == "command")) {
			return nil, &ConfigError{File: file, Line: 1, Col: 1, Field: key, Msg: "is required"}
		}
	}
	if synthetic && kv["synthetic"] == nil {
		return nil, d.errAt(kv["kernel"].Value, "synthetic", "is required with kernel synthetic (add synthetic: {serial: 10ms, parallel: 90ms, mode: sleep})")
	}
	for _, key := range topKeys {
		if n := kv[key]; n != nil {
			if err := c.decodeKey(d, key, n.Value); err != nil {
				return nil, err
			}
		}
	}
	if err := c.crossCheck(d, kv); err != nil {
		return nil, err
	}
	if at := kv["invocations"]; at != nil && c.Adaptive != nil && c.Invocations > 1 {
		return nil, d.errAt(at.Value, "invocations", "does not go with repeats as {min, max, precision} yet (adaptive repeats stop cells between rounds, not between processes): use a number of repeats, or invocations: 1")
	}
	if at := kv["invocations"]; at != nil && c.Invocations > c.Repeats {
		return nil, d.errAt(at.Value, "invocations", "%d is more than repeats, %d (each invocation needs at least one repeat of every cell: lower invocations or raise repeats)", c.Invocations, c.Repeats)
	}
	if n := c.TrialCount(); n > MaxTrials {
		at := kv["repeats"]
		if at == nil {
			at = kv["workers"]
		}
		return nil, d.errAt(at.Value, at.Key.GetToken().Value, "the matrix has %.0f trials, ranges x schedules x workers x (warmup+repeats) (at most %d are allowed)", n, MaxTrials)
	}
	return c, nil
}

// TrialCount is the number of trials the matrix plans:
// ranges x schedules x workers x (invocations x warmup + repeats), as a
// float64 so that it cannot overflow.
func (c *Config) TrialCount() float64 {
	return float64(len(c.Ranges)) * float64(len(c.Schedules)) * float64(len(c.Workers)) * float64(c.StepsPerCell())
}

// NumInvocations is c.Invocations, at least 1: the number of exp
// processes the run's trials are split over.
func (c *Config) NumInvocations() int { return max(c.Invocations, 1) }

// StepsPerCell is how many trials NewPlan plans per cell: each invocation's
// warmups and the repeats, max(Invocations, 1) x Warmup + Repeats.
func (c *Config) StepsPerCell() int {
	return c.NumInvocations()*c.Warmup + c.Repeats
}

// decodeKey decodes and validates one top-level key into c.
func (c *Config) decodeKey(d *decoder, key string, n ast.Node) error {
	var err error
	var u uint64
	switch key {
	case "name":
		c.Name, err = d.str(n, key)
	case "database":
		c.Database, err = d.str(n, key)
	case "seed":
		u, err = d.uint(n, key, 0, math.MaxInt64)
		c.Seed, c.HasSeed = int64(u), true
	case "repeats":
		c.Repeats, c.Adaptive, err = d.repeats(n, key)
	case "warmup":
		u, err = d.uint(n, key, 0, MaxRepeats)
		c.Warmup = int(u)
	case "invocations":
		u, err = d.uint(n, key, 1, MaxInvocations)
		c.Invocations = int(u)
	case "chunk":
		u, err = d.uint(n, key, 1, math.MaxInt64)
		c.Chunk = int(u)
	case "timeout":
		c.Timeout, err = d.duration(n, key, true)
	case "scaling":
		c.Scaling, err = d.str(n, key)
		if err == nil && !slices.Contains(Scalings, c.Scaling) {
			err = d.errAt(n, key, "unknown scaling %q (allowed: %s)", c.Scaling, strings.Join(Scalings, ", "))
		}
	case "kernel":
		c.Kernel, err = d.str(n, key)
		if err == nil && Kernels[c.Kernel] == nil {
			err = d.errAt(n, key, "unknown kernel %q (allowed: %s)", c.Kernel, strings.Join(KernelNames(), ", "))
		}
	case "synthetic":
		c.Synthetic, err = d.synthetic(n, key)
	case "ranges":
		c.Ranges, err = d.ranges(n, key)
	case "workers":
		c.Workers, err = d.workers(n, key)
	case "command", "inputs", "check", "env", "workdir":
		err = c.decodeCommandKey(d, key, n)
	case "schedules":
		c.Schedules, err = d.schedules(n, key)
	case "setup", "prepare", "conclude", "cleanup":
		err = c.decodeHook(d, key, n)
	case "expect":
		c.Expect, err = d.expectations(n, key)
	}
	return err
}

func (d *decoder) ranges(n ast.Node, field string) ([]Range, error) {
	items, err := d.seq(n, field)
	if err != nil {
		return nil, err
	}
	out := make([]Range, 0, len(items))
	for i, item := range items {
		name := index(field, i)
		kv, err := d.mapping(item, name, []string{"start", "count"})
		if err != nil {
			return nil, err
		}
		for _, k := range []string{"start", "count"} {
			if kv[k] == nil {
				return nil, d.errAt(item, join(name, k), "is required (a range is {start: N, count: N})")
			}
		}
		var r Range
		if r.Start, err = d.uint(kv["start"].Value, join(name, "start"), 0, MaxValue); err != nil {
			return nil, err
		}
		if r.Count, err = d.uint(kv["count"].Value, join(name, "count"), 1, MaxValue); err != nil {
			return nil, err
		}
		if r.Count-1 > MaxValue-r.Start {
			return nil, d.errAt(kv["count"].Value, join(name, "count"),
				"the range ends past %d (start+count-1 must be <= 2^63-1, SQLite's INTEGER limit)", uint64(MaxValue))
		}
		if j := slices.Index(out, r); j >= 0 {
			return nil, d.errAt(item, name, "duplicate of ranges[%d] (each range once)", j)
		}
		out = append(out, r)
	}
	return out, nil
}

func (d *decoder) workers(n ast.Node, field string) ([]int, error) {
	items, err := d.seq(n, field)
	if err != nil {
		return nil, err
	}
	out := make([]int, 0, len(items))
	for i, item := range items {
		u, err := d.uint(item, index(field, i), 1, MaxWorkers)
		if err != nil {
			return nil, err
		}
		if j := slices.Index(out, int(u)); j >= 0 {
			return nil, d.errAt(item, index(field, i), "duplicate worker count %d, also workers[%d] (each count once)", u, j)
		}
		out = append(out, int(u))
	}
	return out, nil
}

func (d *decoder) schedules(n ast.Node, field string) ([]Schedule, error) {
	items, err := d.seq(n, field)
	if err != nil {
		return nil, err
	}
	out := make([]Schedule, 0, len(items))
	for i, item := range items {
		s, err := d.str(item, index(field, i))
		if err != nil {
			return nil, err
		}
		sc := Schedule(s)
		if !slices.Contains(Schedules, sc) {
			return nil, d.errAt(item, index(field, i), "unknown schedule %q (allowed: %s)", s, scheduleList())
		}
		if j := slices.Index(out, sc); j >= 0 {
			return nil, d.errAt(item, index(field, i), "duplicate schedule %q, also schedules[%d] (each schedule once)", s, j)
		}
		out = append(out, sc)
	}
	return out, nil
}
