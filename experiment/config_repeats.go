package experiment

import (
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// adaptiveKeys lists the keys of repeats written as a mapping.
var adaptiveKeys = []string{"min", "max", "precision"}

// repeats decodes the repeats key: an integer from 1 to MaxRepeats, or a
// mapping {min, max, precision} (Adaptive), all three required. It
// returns the most measured trials per cell and, for a mapping, the
// adaptive settings.
func (d *decoder) repeats(n ast.Node, field string) (int, *Adaptive, error) {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
	default:
		u, err := d.uint(n, field, 1, MaxRepeats)
		return int(u), nil, err
	}
	kv, err := d.mapping(n, field, adaptiveKeys)
	if err != nil {
		return 0, nil, err
	}
	for _, k := range adaptiveKeys {
		if kv[k] == nil {
			return 0, nil, d.errAt(n, join(field, k), "is required (repeats is an integer, or {min: N, max: N, precision: P%%} such as {min: 5, max: 50, precision: 2%%})")
		}
	}
	a := &Adaptive{}
	lo, err := d.uint(kv["min"].Value, join(field, "min"), MinAdaptiveMin, MaxRepeats)
	if err != nil {
		return 0, nil, err
	}
	a.Min = int(lo)
	hi, err := d.uint(kv["max"].Value, join(field, "max"), max(lo, MinAdaptiveMax), MaxRepeats)
	if err != nil {
		if hi = d.uintOrZero(kv["max"].Value); hi > 0 && hi < lo {
			return 0, nil, d.errAt(kv["max"].Value, join(field, "max"), "%d is below min %d (must be an integer from %d to %d)", hi, lo, max(lo, MinAdaptiveMax), MaxRepeats)
		}
		if hi > 0 && hi < MinAdaptiveMax {
			return 0, nil, d.errAt(kv["max"].Value, join(field, "max"), "%d is below %d, the fewest trials whose median has a 95%% interval (must be an integer from %d to %d)",
				hi, MinAdaptiveMax, max(lo, MinAdaptiveMax), MaxRepeats)
		}
		return 0, nil, err
	}
	a.Max = int(hi)
	if a.Precision, err = d.percent(kv["precision"].Value, join(field, "precision"),
		"a percentage above 0% and below 100% such as 2% or 0.5%", func(v float64) bool { return v > 0 && v < 100 }); err != nil {
		return 0, nil, err
	}
	return a.Max, a, nil
}

// uintOrZero is the value of a plain decimal integer node, 0 for anything else.
func (d *decoder) uintOrZero(n ast.Node) uint64 {
	in, ok := n.(*ast.IntegerNode)
	if !ok || !decimal(in.GetToken().Value) {
		return 0
	}
	v, err := strconv.ParseUint(in.GetToken().Value, 10, 64)
	if err != nil {
		return 0
	}
	return v
}

// percent decodes a percentage written with its percent sign (2%, 0.5%)
// as a fraction, if inRange holds for the percentage; allowed says what
// is. A bare number is an error, so that 2 (2% or 200%?) and 0.02 cannot
// be misread.
func (d *decoder) percent(n ast.Node, field, allowed string, inRange func(pct float64) bool) (float64, error) {
	if err := d.plain(n, field); err != nil {
		return 0, err
	}
	switch n.(type) {
	case *ast.IntegerNode, *ast.FloatNode:
		raw := n.GetToken().Value
		return 0, d.errAt(n, field, "%s has no %% sign (must be %s; write %s%% for %s percent)", raw, allowed, raw, raw)
	case *ast.StringNode:
	case *ast.NullNode:
		return 0, d.errAt(n, field, "has no value (must be %s)", allowed)
	case *ast.SequenceNode, *ast.MappingNode, *ast.MappingValueNode:
		return 0, d.errAt(n, field, "is %s (must be %s)", nodeKind(n), allowed)
	default:
		return 0, d.errAt(n, field, "got %s %q (must be %s)", nodeKind(n), n.GetToken().Value, allowed)
	}
	raw, err := d.str(n, field)
	if err != nil {
		return 0, err
	}
	num, ok := strings.CutSuffix(raw, "%")
	v, perr := strconv.ParseFloat(num, 64)
	switch {
	case !ok || perr != nil || strings.TrimLeft(num, "0123456789.") != "" || num == "":
		return 0, d.errAt(n, field, "cannot read %q as a percentage (must be %s)", raw, allowed)
	case !inRange(v):
		return 0, d.errAt(n, field, "%s is out of range (must be %s)", raw, allowed)
	}
	return v / 100, nil
}
