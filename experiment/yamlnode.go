package experiment

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// decoder walks a go-yaml AST with exp's own typing rules. go-yaml's
// reflective decoder silently truncates 1.5 to 1, accepts "3" for an int and
// wraps integers past 2^64, so exp checks every scalar's node type itself.
type decoder struct {
	file string
}

// nodeKind names a node's YAML type for error messages.
func nodeKind(n ast.Node) string {
	switch n.(type) {
	case *ast.IntegerNode:
		return "an integer"
	case *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "a float"
	case *ast.StringNode, *ast.LiteralNode:
		return "a string"
	case *ast.BoolNode:
		return "a boolean"
	case *ast.NullNode, nil:
		return "empty"
	case *ast.SequenceNode:
		return "a list"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	}
	return "a " + strings.ToLower(n.Type().String())
}

// plain rejects YAML features exp does not accept in experiment files.
func (d *decoder) plain(n ast.Node, field string) error {
	switch n.(type) {
	case *ast.AnchorNode, *ast.AliasNode, *ast.TagNode, *ast.MergeKeyNode:
		return d.errAt(n, field, "anchors, aliases, tags and merge keys are not supported (write the value out)")
	}
	return nil
}

// mapping returns the key/value pairs of a mapping node, rejecting duplicate
// keys and keys not in allowed.
func (d *decoder) mapping(n ast.Node, field string, allowed []string) (map[string]*ast.MappingValueNode, error) {
	if err := d.plain(n, field); err != nil {
		return nil, err
	}
	var values []*ast.MappingValueNode
	switch m := n.(type) {
	case *ast.MappingNode:
		values = m.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{m}
	default:
		what := "is"
		if field == "" {
			what = "the file is"
		}
		return nil, d.errAt(n, field, "%s %s (must be a mapping of keys to values)", what, nodeKind(n))
	}
	out := make(map[string]*ast.MappingValueNode, len(values))
	for _, kv := range values {
		key := kv.Key.GetToken().Value
		name := join(field, fieldName(key))
		if !slices.Contains(allowed, key) {
			return nil, d.errAt(kv.Key, name, "unknown field (allowed: %s)", strings.Join(allowed, ", "))
		}
		if prev, dup := out[key]; dup {
			first := prev.Key.GetToken().Position
			return nil, d.errAt(kv.Key, name, "duplicate key (first at line %d, column %d)", first.Line, first.Column)
		}
		out[key] = kv
	}
	return out, nil
}

// str decodes a non-empty string scalar.
func (d *decoder) str(n ast.Node, field string) (string, error) {
	if err := d.plain(n, field); err != nil {
		return "", err
	}
	if _, block := n.(*ast.LiteralNode); block {
		return "", d.errAt(n, field, "is a block scalar (must be a one-line string; | and > are not accepted)")
	}
	s, ok := n.(*ast.StringNode)
	if !ok {
		return "", d.errAt(n, field, "is %s (must be a non-empty string)", nodeKind(n))
	}
	if s.Value == "" {
		return "", d.errAt(n, field, "is empty (must be a non-empty string; remove the key to use the default, if it has one)")
	}
	if !utf8.ValidString(s.Value) || strings.IndexFunc(s.Value, unicode.IsControl) >= 0 {
		return "", d.errAt(n, field, "holds control characters or invalid UTF-8 (must be one line of printable text)")
	}
	return s.Value, nil
}

// uint decodes an integer scalar in [lo, hi], written in decimal digits.
// Floats, strings, booleans, out-of-range values and integers in other
// spellings (010, 0x10, 0o10, 0b10, 1_000, +10) are errors that state the
// allowed range.
func (d *decoder) uint(n ast.Node, field string, lo, hi uint64) (uint64, error) {
	if err := d.plain(n, field); err != nil {
		return 0, err
	}
	allowed := fmt.Sprintf("an integer from %d to %d", lo, hi)
	if hi == math.MaxUint64 {
		allowed = fmt.Sprintf("an integer >= %d", lo)
	}
	in, ok := n.(*ast.IntegerNode)
	if !ok {
		raw := ""
		if tk := n.GetToken(); tk != nil {
			raw = tk.Value
		}
		if _, isNull := n.(*ast.NullNode); isNull {
			return 0, d.errAt(n, field, "has no value (must be %s)", allowed)
		}
		if s, isStr := n.(*ast.StringNode); isStr && s.Token.Type == token.StringType && numberLike(raw) {
			// go-yaml leaves unquoted numbers it cannot read as integers
			// as strings: past 64 bits, with a leading zero (08), or in a
			// spelling of another YAML version (0b2).
			if !decimal(raw) {
				return 0, d.notDecimal(n, field, raw, allowed)
			}
			return 0, d.errAt(n, field, "%s overflows uint64 (must be %s)", raw, allowed)
		}
		switch n.(type) {
		case *ast.SequenceNode, *ast.MappingNode, *ast.MappingValueNode:
			return 0, d.errAt(n, field, "is %s (must be %s)", nodeKind(n), allowed)
		}
		return 0, d.errAt(n, field, "got %s %q (must be %s)", nodeKind(n), raw, allowed)
	}
	raw := in.GetToken().Value
	if !decimal(raw) {
		return 0, d.notDecimal(n, field, raw, allowed)
	}
	if raw == "-0" {
		raw = "0"
	}
	if strings.HasPrefix(raw, "-") {
		return 0, d.errAt(n, field, "%s is out of range (must be %s)", raw, allowed)
	}
	v, err := strconv.ParseUint(raw, 10, 64)
	if err != nil {
		return 0, d.errAt(n, field, "%s overflows uint64 (must be %s)", raw, allowed)
	}
	if v < lo || v > hi {
		return 0, d.errAt(n, field, "%s is out of range (must be %s)", raw, allowed)
	}
	return v, nil
}

// notDecimal reports an integer written other than in decimal digits.
// YAML 1.1 reads 010 as 8 and 0b10 and 1_000 as integers; YAML 1.2 reads
// 010 as 10, 0o10 as 8, and 0b10 and 1_000 as strings. exp accepts only
// the spelling every version reads alike.
func (d *decoder) notDecimal(n ast.Node, field, raw, allowed string) error {
	return d.errAt(n, field, "%s is not in decimal digits (must be %s, written in decimal digits only: "+
		"YAML versions read leading zeros, underscores, + and the 0x, 0o and 0b prefixes differently)", raw, allowed)
}

// seq returns the items of a non-empty list.
func (d *decoder) seq(n ast.Node, field string) ([]ast.Node, error) {
	if err := d.plain(n, field); err != nil {
		return nil, err
	}
	s, ok := n.(*ast.SequenceNode)
	if _, isNull := n.(*ast.NullNode); isNull {
		return nil, d.errAt(n, field, "has no value (must be a non-empty list)")
	}
	if !ok {
		return nil, d.errAt(n, field, "is %s (must be a list)", nodeKind(n))
	}
	if len(s.Values) == 0 {
		return nil, d.errAt(n, field, "is empty (must be a non-empty list)")
	}
	return s.Values, nil
}

// decimal reports whether raw is an integer in decimal digits: an optional
// minus sign, then 0 or a run of digits that does not start with 0.
func decimal(raw string) bool {
	s := strings.TrimPrefix(raw, "-")
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return false
	}
	return s == "0" || s[0] != '0'
}

// numberLike reports whether raw is spelled like a YAML integer of some
// version: an optional sign, then digits and underscores, or a 0x, 0o or
// 0b prefix followed by hexadecimal digits and underscores.
func numberLike(raw string) bool {
	s := strings.TrimLeft(raw, "+-")
	if len(s) > 2 && s[0] == '0' && strings.ContainsRune("xXoObB", rune(s[1])) {
		return strings.Trim(s[2:], "0123456789abcdefABCDEF_") == ""
	}
	return s != "" && s[0] >= '0' && s[0] <= '9' && strings.Trim(s, "0123456789_") == ""
}

// fieldName renders a mapping key for an error message: as is when it is a
// plain identifier, quoted otherwise, so the message stays on one line.
func fieldName(key string) string {
	for _, r := range key {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return strconv.Quote(key)
		}
	}
	if key == "" {
		return `""`
	}
	return key
}

func join(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func index(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }
