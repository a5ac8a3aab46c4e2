package experiment

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Quantity is what an expectation of exp check bounds.
type Quantity string

// The quantities an expectation may bound.
const (
	QuantityB          Quantity = "b"          // Amdahl's serial fraction B of every fit
	QuantitySpeedup    Quantity = "speedup"    // the speedup of every cell with the given workers
	QuantityEfficiency Quantity = "efficiency" // speedup / workers of every cell with the given workers
)

// Op is the comparison of an expectation.
type Op string

// The comparisons, longest first so that "<=" is not read as "<".
const (
	OpLE Op = "<="
	OpGE Op = ">="
	OpLT Op = "<"
	OpGT Op = ">"
)

// Holds reports whether v op threshold is true.
func (op Op) Holds(v, threshold float64) bool {
	switch op {
	case OpLE:
		return v <= threshold
	case OpLT:
		return v < threshold
	case OpGE:
		return v >= threshold
	case OpGT:
		return v > threshold
	}
	return false
}

// Expectation is one scaling gate of exp check, such as b <= 0.05 or
// efficiency@2 >= 0.9.
type Expectation struct {
	Text      string   // as written
	Quantity  Quantity // what is bounded
	Workers   int      // the cells' worker count, for speedup and efficiency; 0 for b
	Op        Op       // the comparison
	Threshold float64  // the bound, a finite number (a fraction for b and efficiency)
}

// ErrBadExpectation is wrapped by every *ExpectationError.
var ErrBadExpectation = errors.New("bad expectation")

// ExpectationSyntax is what an expectation may say, for error messages.
const ExpectationSyntax = "b OP X, speedup@N OP X or efficiency@N OP X, with OP one of <=, <, >=, > and N >= 1 workers"

// ExpectationError is an expectation that does not parse: Pos is the byte
// where it goes wrong, counting from 1.
type ExpectationError struct {
	Expr string // the expectation as given
	Pos  int    // byte position of the problem, from 1
	Msg  string // what is wrong
}

// Error reads "expectation "b <= x" at byte 6: want a number (allowed: ...)".
func (e *ExpectationError) Error() string {
	return fmt.Sprintf("expectation %q at byte %d: %s (allowed: %s)", e.Expr, e.Pos, e.Msg, ExpectationSyntax)
}

// Unwrap returns ErrBadExpectation.
func (e *ExpectationError) Unwrap() error { return ErrBadExpectation }

// ParseExpectation reads an expectation, "QUANTITY[@N] OP NUMBER" with
// spaces allowed between the parts. It returns an *ExpectationError naming
// the byte where the text goes wrong.
func ParseExpectation(s string) (Expectation, error) {
	e := Expectation{Text: s}
	i := 0
	fail := func(pos int, format string, args ...any) (Expectation, error) {
		return Expectation{}, &ExpectationError{Expr: s, Pos: pos + 1, Msg: fmt.Sprintf(format, args...)}
	}
	skip := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
	}
	skip()
	start := i
	for i < len(s) && ('a' <= s[i] && s[i] <= 'z' || 'A' <= s[i] && s[i] <= 'Z') {
		i++
	}
	word := strings.ToLower(s[start:i])
	switch Quantity(word) {
	case QuantityB, QuantitySpeedup, QuantityEfficiency:
		e.Quantity = Quantity(word)
	case "":
		return fail(start, "want a quantity: b, speedup@N or efficiency@N")
	default:
		return fail(start, "unknown quantity %q", word)
	}
	skip()
	if i < len(s) && s[i] == '@' {
		if e.Quantity == QuantityB {
			return fail(i, "b is the fit's, not a cell's: it takes no @N")
		}
		i++
		skip()
		ns := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		n, err := strconv.Atoi(s[ns:i])
		if err != nil || n < 1 {
			return fail(ns, "want a worker count >= 1 after @")
		}
		e.Workers = n
		skip()
	} else if e.Quantity != QuantityB {
		return fail(i, "%s needs a worker count, as in %s@4", e.Quantity, e.Quantity)
	}
	for _, op := range []Op{OpLE, OpGE, OpLT, OpGT} {
		if strings.HasPrefix(s[i:], string(op)) {
			e.Op = op
			i += len(op)
			break
		}
	}
	if e.Op == "" {
		return fail(i, "want a comparison: <=, <, >= or >")
	}
	skip()
	ns := i
	for i < len(s) && strings.IndexByte("0123456789.eE+-", s[i]) >= 0 {
		i++
	}
	v, err := strconv.ParseFloat(s[ns:i], 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return fail(ns, "want a finite number")
	}
	e.Threshold = v
	skip()
	if i < len(s) {
		return fail(i, "unexpected %q after the number", s[i:])
	}
	return e, nil
}

// String renders the expectation in a canonical form: "speedup@4 >= 3".
func (e Expectation) String() string {
	q := string(e.Quantity)
	if e.Workers > 0 {
		q += "@" + strconv.Itoa(e.Workers)
	}
	return q + " " + string(e.Op) + " " + strconv.FormatFloat(e.Threshold, 'g', -1, 64)
}
