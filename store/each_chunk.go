package store

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/exp-tool/exp/experiment"
)

// The columns of a trialChunk, in eachQuery's order.
const (
	colSeq = iota
	colCell
	colWall
	colUser
	colSys
	colPrimes
	colFlags
	colOther
)

// chunkColumns are a trialChunk's columns parsed, reused from chunk to
// chunk.
type chunkColumns struct {
	v [chunkWidth][]int64
	// order lists the trials by seq when SQLite concatenated them in
	// another order (it does not promise the index's); empty when in order.
	order []int
}

// parse parses c's columns into cc. It returns ErrCorrupt for a value that
// is not a 64-bit integer, or a column of other than c.n values.
func (cc *chunkColumns) parse(c *trialChunk) error {
	for i, s := range c.cols {
		v, ok := parseInts(s, cc.v[i][:0])
		if !ok {
			return fmt.Errorf("%w: column %d of a trial is not an integer", ErrCorrupt, i)
		}
		if len(v) != c.n {
			return fmt.Errorf("%w: column %d has %d values for %d trials", ErrCorrupt, i, len(v), c.n)
		}
		cc.v[i] = v
	}
	cc.order = cc.order[:0]
	seq := cc.v[colSeq]
	for i := 1; i < len(seq); i++ {
		if seq[i] <= seq[i-1] {
			for j := range seq {
				cc.order = append(cc.order, j)
			}
			slices.SortFunc(cc.order, func(a, b int) int { return cmp.Compare(seq[a], seq[b]) })
			break
		}
	}
	return nil
}

// eachOf calls fn with each trial of cc in seq order, as EachTrial
// documents; cells maps the run's cell ids to their indexes.
func (db *DB) eachOf(cc *chunkColumns, cells map[int64]int, runID int64, fn func(*experiment.Trial) error) error {
	var (
		t    experiment.Trial
		proc experiment.ProcessResult
	)
	v := &cc.v
	for k := range v[colSeq] {
		i := k
		if len(cc.order) > 0 {
			i = cc.order[k]
		}
		seq, flags, other := v[colSeq][i], v[colFlags][i], v[colOther][i]
		idx, ok := cells[v[colCell][i]]
		if !ok {
			return db.fail(fmt.Sprintf("trial %d of run %d", seq, runID), fmt.Errorf("%w: cell %d is not a cell of the run", ErrCorrupt, v[colCell][i]))
		}
		t = experiment.Trial{WallNS: v[colWall][i], UserNS: v[colUser][i], SysNS: v[colSys][i]}
		t.Cell, t.Seq, t.Hits = idx, int(seq), uint64(v[colPrimes][i])
		t.Warmup, t.OK, t.TimedOut = flags&1 != 0, flags&2 != 0, flags&4 != 0
		if flags&8 != 0 {
			proc = experiment.ProcessResult{ExitStatus: int(flags>>4) & 0xff}
			t.Process = &proc
		}
		t.Invocation = int(flags >> 12)
		t.OtherCPUNS, t.HasOtherCPU = max(other, 0), other >= 0
		if err := fn(&t); err != nil {
			return err
		}
	}
	return nil
}

// parseInts appends to dst the comma-separated decimal integers of s, as
// SQLite's group_concat writes them; ok is false if one is not a 64-bit
// integer. An empty s holds none.
func parseInts(s string, dst []int64) (_ []int64, ok bool) {
	if s == "" {
		return dst, true
	}
	for i := 0; ; i++ {
		neg := i < len(s) && s[i] == '-'
		if neg {
			i++
		}
		start := i
		var u uint64
		for ; i < len(s) && s[i] != ','; i++ {
			d := s[i] - '0'
			if d > 9 || u > (1<<64-1-9)/10 {
				return dst, false
			}
			u = u*10 + uint64(d)
		}
		switch {
		case i == start || i-start > 19:
			return dst, false
		case neg && u <= 1<<63:
			dst = append(dst, int64(-u))
		case !neg && u < 1<<63:
			dst = append(dst, int64(u))
		default:
			return dst, false
		}
		if i == len(s) {
			return dst, true
		}
	}
}
