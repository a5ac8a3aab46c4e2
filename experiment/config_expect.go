package experiment

import (
	"errors"
	"slices"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// expectations decodes the expect key: a list of expectations such as
// "b <= 0.05" or "efficiency@2 >= 0.9" (ParseExpectation), each judged
// with its confidence interval when the run ends, as exp check does. An
// expectation about a worker count the file does not measure is an error
// (checked by checkExpectWorkers once workers is known).
func (d *decoder) expectations(n ast.Node, field string) ([]Expectation, error) {
	items, err := d.seq(n, field)
	if err != nil {
		return nil, err
	}
	out := make([]Expectation, 0, len(items))
	for i, item := range items {
		s, err := d.str(item, index(field, i))
		if err != nil {
			return nil, err
		}
		e, err := ParseExpectation(s)
		var pe *ExpectationError
		if errors.As(err, &pe) {
			ce := d.errAt(item, index(field, i), "%s at byte %d (allowed: %s)", pe.Msg, pe.Pos, ExpectationSyntax)
			if tk := item.GetToken(); tk != nil && tk.Type == token.StringType && ce.Col > 0 {
				ce.Col += pe.Pos - 1 // a plain scalar: the column of the byte itself
			}
			return nil, ce
		}
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// checkExpectWorkers reports an expectation about a worker count that no
// cell has, such as speedup@8 with workers [1, 2, 4].
func (c *Config) checkExpectWorkers(d *decoder, kv map[string]*ast.MappingValueNode) error {
	mv := kv["expect"]
	if mv == nil {
		return nil
	}
	items, err := d.seq(mv.Value, "expect")
	if err != nil {
		return err
	}
	for i, e := range c.Expect {
		if e.Workers > 0 && !slices.Contains(c.Workers, e.Workers) {
			return d.errAt(items[i], index("expect", i), "%s: no cell has %d workers (workers: %v)", e.Text, e.Workers, c.Workers)
		}
	}
	return nil
}
