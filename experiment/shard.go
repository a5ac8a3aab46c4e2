package experiment

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// ErrBadShard is wrapped by every error about a shard given on the command
// line or in the environment (ParseShard, ShardFromEnv).
var ErrBadShard = errors.New("bad shard")

// Shard is one part of a matrix split across machines: Index of Count,
// Index from 0. The zero Shard (Count 0) is the whole matrix, unsharded.
type Shard struct {
	Index int // which part, 0 .. Count-1
	Count int // how many parts the matrix is split into, >= 1; 0 when not sharded
}

// Sharded reports whether s splits the matrix at all (Count >= 1).
func (s Shard) Sharded() bool { return s.Count > 0 }

// String renders s as I/N, the form ParseShard reads.
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// MaxShards bounds a shard count, so that a typo cannot ask for a million
// databases.
const MaxShards = 10_000

// ParseShard reads "I/N" (0 <= I < N <= MaxShards). It returns an error
// wrapping ErrBadShard that says what is allowed.
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Shard{}, fmt.Errorf("%w: %q is not I/N (I from 0 to N-1, e.g. 0/4)", ErrBadShard, s)
	}
	count, err := parseCount(n)
	if err != nil {
		return Shard{}, fmt.Errorf("%w: %q: count %v", ErrBadShard, s, err)
	}
	return NewShard(i, count)
}

// NewShard checks the index i (text, from the command line or an
// environment variable) against count, which must already be valid.
func NewShard(i string, count int) (Shard, error) {
	idx, err := strconv.Atoi(strings.TrimSpace(i))
	if err != nil || idx < 0 || idx >= count {
		return Shard{}, fmt.Errorf("%w: index %q must be a whole number from 0 to %d (0-based, below the count %d)", ErrBadShard, i, count-1, count)
	}
	return Shard{Index: idx, Count: count}, nil
}

// parseCount reads a shard count, 1 .. MaxShards.
func parseCount(n string) (int, error) {
	count, err := strconv.Atoi(strings.TrimSpace(n))
	if err != nil || count < 1 || count > MaxShards {
		return 0, fmt.Errorf("%q must be a whole number from 1 to %d", n, MaxShards)
	}
	return count, nil
}

// ParseShardCount reads a shard count such as --shards N, 1 .. MaxShards.
func ParseShardCount(n string) (int, error) {
	c, err := parseCount(n)
	if err != nil {
		return 0, fmt.Errorf("%w: count %w", ErrBadShard, err)
	}
	return c, nil
}

// ShardFromEnv is the shard an array job's environment names, for a run
// given no --shard: the index from SLURM_ARRAY_TASK_ID (else Kubernetes'
// JOB_COMPLETION_INDEX) and the count from count if it is > 0 (--shards),
// else SLURM_ARRAY_TASK_COUNT. ok is false when the environment names no
// index, or no count is known. getenv is os.Getenv in exp. from names the
// variables used, for a message.
func ShardFromEnv(getenv func(string) string, count int) (s Shard, from string, ok bool, err error) {
	idx, from := getenv("SLURM_ARRAY_TASK_ID"), "SLURM_ARRAY_TASK_ID"
	if idx == "" {
		idx, from = getenv("JOB_COMPLETION_INDEX"), "JOB_COMPLETION_INDEX"
	}
	if idx == "" {
		return Shard{}, "", false, nil
	}
	if count == 0 {
		n := getenv("SLURM_ARRAY_TASK_COUNT")
		if n == "" {
			return Shard{}, "", false, nil
		}
		if count, err = parseCount(n); err != nil {
			return Shard{}, "", false, fmt.Errorf("%w: SLURM_ARRAY_TASK_COUNT %w", ErrBadShard, err)
		}
		from += " and SLURM_ARRAY_TASK_COUNT"
	} else {
		from += " and --shards"
	}
	s, err = NewShard(idx, count)
	if err != nil {
		return Shard{}, "", false, fmt.Errorf("%s: %w", from, err)
	}
	return s, from, true, nil
}

// CellCost is a deterministic estimate of one trial of c, in arbitrary
// units proportional to time, used to balance shards. It must not be
// measured (as EstimatePlan is): every shard, on whatever machine,
// computes the same assignment from it. primes kernels: trial division
// costs about sqrt(x)/ln(x) divisions per number near x (the primes
// dominate, and one number in ln(x) is prime), so a cell costs
// count x sqrt(mid)/ln(mid) / workers, with mid the middle of the range.
// synthetic: serial + parallel/workers, in microseconds. command: the
// timeout (or 1), the same for every cell.
func CellCost(cfg *Config, c Cell) float64 {
	switch {
	case cfg.Kernel == "synthetic" && cfg.Synthetic != nil:
		unit := SyntheticUnit.Seconds() * 1e6
		return cfg.Synthetic.Serial.Seconds()*1e6 + float64(c.Range.Count)*unit/float64(c.Workers)
	case cfg.Kernel == "command":
		return max(cfg.Timeout.Seconds(), 1)
	}
	mid := float64(c.Range.Start) + float64(c.Range.Count)/2
	perNumber := math.Sqrt(mid) / math.Log(max(mid, 3))
	return float64(c.Range.Count) * max(perNumber, 1) / float64(c.Workers)
}

// AssignShards splits cells 0..len(costs)-1 into n shards by greedy
// longest processing time (Graham 1969): cells sorted by cost, largest
// first (ties: lower index first), each to the shard with the least total
// so far (ties: lower shard). Each shard's cells are returned in index
// order. Every cell is in exactly one shard; a shard's total is at most
// 4/3 of the best possible largest total. With more shards than cells,
// some shards are empty.
func AssignShards(costs []float64, n int) [][]int {
	order := make([]int, len(costs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(costs[b], costs[a]) })
	out := make([][]int, n)
	load := make([]float64, n)
	for _, ci := range order {
		best := 0
		for s := 1; s < n; s++ {
			if load[s] < load[best] {
				best = s
			}
		}
		out[best] = append(out[best], ci)
		load[best] += costs[ci]
	}
	for _, cells := range out {
		slices.Sort(cells)
	}
	return out
}

// ShardCells returns the indexes in p.Cells of the cells shard s runs.
func (p *Plan) ShardCells(s Shard) []int {
	costs := make([]float64, len(p.Cells))
	for i, c := range p.Cells {
		costs[i] = CellCost(p.Config, c)
	}
	return AssignShards(costs, s.Count)[s.Index]
}

// Restrict returns the plan of shard s of p: only its cells (ShardCells),
// renumbered from 0 in matrix order, with Matrix their positions in p; and only their steps, in p's order (the seed's), with Seq
// renumbered from 0 (Rep and Warmup are unchanged: a cell's trials are
// all in one shard). Restrict of an unsharded s returns p.
func (p *Plan) Restrict(s Shard) *Plan {
	if !s.Sharded() {
		return p
	}
	q := &Plan{Config: p.Config, Seed: p.Seed, Shard: s, MatrixCells: len(p.Cells)}
	newIndex := make([]int, len(p.Cells))
	for i := range newIndex {
		newIndex[i] = -1
	}
	for _, ci := range p.ShardCells(s) {
		c := p.Cells[ci]
		c.Index, newIndex[ci] = len(q.Cells), len(q.Cells)
		q.Cells, q.Matrix = append(q.Cells, c), append(q.Matrix, ci)
	}
	for _, st := range p.Steps {
		if ni := newIndex[st.Cell]; ni >= 0 {
			st.Cell, st.Seq = ni, len(q.Steps)
			q.Steps = append(q.Steps, st)
		}
	}
	return q
}
