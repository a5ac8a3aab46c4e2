package experiment

import (
	"fmt"
	"slices"
	"time"

	"github.com/goccy/go-yaml/ast"
)

// crossCheck validates what depends on more than one key: the keys kernels
// synthetic and command take and refuse (checkCommand), and the ranges' ends under weak scaling. It
// sets kernel synthetic's range and default schedules.
func (c *Config) crossCheck(d *decoder, kv map[string]*ast.MappingValueNode) error {
	if err := c.crossCheckKernel(d, kv); err != nil {
		return err
	}
	if err := c.checkExpectWorkers(d, kv); err != nil {
		return err
	}
	return c.checkHooks(d, kv)
}

// crossCheckKernel is crossCheck's part about the kernels' keys.
func (c *Config) crossCheckKernel(d *decoder, kv map[string]*ast.MappingValueNode) error {
	if done, err := c.checkCommand(d, kv); done || err != nil {
		if at := kv["synthetic"]; err == nil && at != nil {
			return d.errAt(at.Key, "synthetic", "is only for kernel synthetic (kernel is %q; remove it, or set kernel: synthetic)", c.Kernel)
		}
		return err
	}
	if c.Kernel != "synthetic" {
		if at := kv["synthetic"]; at != nil {
			return d.errAt(at.Key, "synthetic", "is only for kernel synthetic (kernel is %q; remove it, or set kernel: synthetic)", c.Kernel)
		}
		return c.checkWeakEnds(d, kv["ranges"])
	}
	if at := kv["ranges"]; at != nil {
		return d.errAt(at.Key, "ranges", "is not used by kernel synthetic (remove it: the work is synthetic.parallel, split in 1us units)")
	}
	c.Ranges = []Range{{Start: 0, Count: uint64(c.Synthetic.Parallel / SyntheticUnit)}}
	// Under weak scaling the range grows to Count x workers, which stays far
	// below MaxValue: a Duration holds at most 2^63 ns, about 9.2e12 units,
	// and 9.2e12 x MaxWorkers is about 6e17.
	at := kv["schedules"]
	if at == nil {
		c.Schedules = slices.Clone(DefaultSyntheticSchedules)
		return nil
	}
	items := at.Value.(*ast.SequenceNode).Values // decoded above, so a non-empty list
	for i, s := range c.Schedules {
		if s != Static {
			return d.errAt(items[i], index("schedules", i), "schedule %q does not apply to kernel synthetic, where each worker does one even share (allowed: static)", s)
		}
	}
	return nil
}

// checkWeakEnds checks that under weak scaling every range still ends at or
// below MaxValue when it grows to count x the largest worker count.
func (c *Config) checkWeakEnds(d *decoder, ranges *ast.MappingValueNode) error {
	if c.Scaling != ScalingWeak || ranges == nil {
		return nil
	}
	w := uint64(slices.Max(c.Workers))
	items := ranges.Value.(*ast.SequenceNode).Values // decoded above
	for i, r := range c.Ranges {
		// start + count*w - 1 <= MaxValue, that is count <= (MaxValue-start+1)/w.
		if r.Count > (MaxValue-r.Start+1)/w {
			field := join(index("ranges", i), "count")
			var at ast.Node = items[i]
			if m, ok := items[i].(*ast.MappingNode); ok {
				for _, kv := range m.Values {
					if kv.Key.GetToken().Value == "count" {
						at = kv.Value
					}
				}
			}
			return d.errAt(at, field, "with scaling weak the %d-worker cell tests count x %d numbers, which ends past %d (start+count*%d-1 must be <= 2^63-1, SQLite's INTEGER limit)",
				w, w, uint64(MaxValue), w)
		}
	}
	return nil
}

// synthetic decodes the synthetic mapping: serial, parallel and mode, all
// required.
func (d *decoder) synthetic(n ast.Node, field string) (*Synthetic, error) {
	kv, err := d.mapping(n, field, syntheticKeys)
	if err != nil {
		return nil, err
	}
	for _, k := range syntheticKeys[:3] { // process_jitter is optional
		if kv[k] == nil {
			return nil, d.errAt(n, join(field, k), "is required (synthetic is {serial: DURATION, parallel: DURATION, mode: sleep or spin})")
		}
	}
	s := &Synthetic{}
	if s.Serial, err = d.duration(kv["serial"].Value, join(field, "serial"), false); err != nil {
		return nil, err
	}
	if s.Parallel, err = d.duration(kv["parallel"].Value, join(field, "parallel"), true); err != nil {
		return nil, err
	}
	mode, err := d.str(kv["mode"].Value, join(field, "mode"))
	if err != nil {
		return nil, err
	}
	s.Mode = SyntheticMode(mode)
	if !slices.Contains(SyntheticModes, s.Mode) {
		return nil, d.errAt(kv["mode"].Value, join(field, "mode"), "unknown mode %q (allowed: %s)", mode, modeList())
	}
	if at := kv["process_jitter"]; at != nil {
		if s.ProcessJitter, err = d.percent(at.Value, join(field, "process_jitter"),
			fmt.Sprintf("a percentage from 0%% to %g%% such as 5%%", MaxProcessJitter*100), func(v float64) bool { return v >= 0 && v <= MaxProcessJitter*100 }); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// duration decodes a Go duration (time.ParseDuration) such as 10ms or 1.5s,
// in whole microseconds (SyntheticUnit): >= 0, or > 0 if positive is set.
// A bare 0 is accepted; other bare numbers lack a unit.
func (d *decoder) duration(n ast.Node, field string, positive bool) (time.Duration, error) {
	allowed := "a duration >= 0 such as 10ms"
	if positive {
		allowed = "a duration > 0 such as 90ms"
	}
	allowed += ", in whole microseconds; units ns, us, ms, s, m, h"
	if err := d.plain(n, field); err != nil {
		return 0, err
	}
	var raw string
	switch v := n.(type) {
	case *ast.StringNode, *ast.LiteralNode:
		s, err := d.str(n, field)
		if err != nil {
			return 0, err
		}
		raw = s
	case *ast.IntegerNode:
		raw = v.GetToken().Value
		if raw != "0" {
			return 0, d.errAt(n, field, "%s has no unit (must be %s)", raw, allowed)
		}
	case *ast.NullNode:
		return 0, d.errAt(n, field, "has no value (must be %s)", allowed)
	case *ast.SequenceNode, *ast.MappingNode, *ast.MappingValueNode:
		return 0, d.errAt(n, field, "is %s (must be %s)", nodeKind(n), allowed)
	default:
		return 0, d.errAt(n, field, "got %s %q (must be %s)", nodeKind(n), n.GetToken().Value, allowed)
	}
	v, err := time.ParseDuration(raw)
	switch {
	case err != nil:
		return 0, d.errAt(n, field, "cannot read %q as a duration (must be %s)", raw, allowed)
	case v < 0:
		return 0, d.errAt(n, field, "%s is negative (must be %s)", raw, allowed)
	case v == 0 && positive:
		return 0, d.errAt(n, field, "%s is zero (must be %s)", raw, allowed)
	case v%SyntheticUnit != 0:
		return 0, d.errAt(n, field, "%s is not a whole number of microseconds (must be %s)", raw, allowed)
	}
	return v, nil
}
