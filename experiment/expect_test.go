package experiment

import (
	"errors"
	"strings"
	"testing"
)

func TestParseExpectation(t *testing.T) {
	good := func(in string, want Expectation) {
		t.Helper()
		got, err := ParseExpectation(in)
		want.Text = in
		if err != nil || got != want {
			t.Errorf("ParseExpectation(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	good("b <= 0.05", Expectation{Quantity: QuantityB, Op: OpLE, Threshold: 0.05})
	good("b<0.2", Expectation{Quantity: QuantityB, Op: OpLT, Threshold: 0.2})
	good("  B >= -1e-3 ", Expectation{Quantity: QuantityB, Op: OpGE, Threshold: -1e-3})
	good("efficiency@2 >= 0.9", Expectation{Quantity: QuantityEfficiency, Workers: 2, Op: OpGE, Threshold: 0.9})
	good("speedup @ 16 > 3", Expectation{Quantity: QuantitySpeedup, Workers: 16, Op: OpGT, Threshold: 3})

	bad := func(in string, pos int, msg string) {
		t.Helper()
		_, err := ParseExpectation(in)
		var pe *ExpectationError
		if !errors.As(err, &pe) || !errors.Is(err, ErrBadExpectation) {
			t.Fatalf("ParseExpectation(%q) = %v, want an *ExpectationError", in, err)
		}
		if pe.Pos != pos || !strings.Contains(pe.Msg, msg) || !strings.Contains(err.Error(), "allowed: ") {
			t.Errorf("ParseExpectation(%q): %v; want byte %d, %q", in, err, pos, msg)
		}
	}
	bad("", 1, "want a quantity")
	bad("   ", 4, "want a quantity")
	bad("<= 3", 1, "want a quantity")
	bad("c <= 0.05", 1, `unknown quantity "c"`)
	bad("b@2 <= 0.05", 2, "takes no @N")
	bad("speedup >= 3", 9, "needs a worker count")
	bad("speedup@ >= 3", 10, "worker count >= 1")
	bad("speedup@0 >= 3", 9, "worker count >= 1")
	bad("b = 0.05", 3, "want a comparison")
	bad("b <= ", 6, "finite number")
	bad("b <= x", 6, "finite number")
	bad("b <= 1e999", 6, "finite number")
	bad("b <= 0.05 and more", 11, `unexpected "and more"`)
}

func FuzzParseExpectation(f *testing.F) {
	for _, s := range []string{"b <= 0.05", "efficiency@2 >= 0.9", "speedup@4>3", "b <", "@"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseExpectation(s)
		if err != nil {
			var pe *ExpectationError
			if !errors.As(err, &pe) || pe.Pos < 1 || pe.Pos > len(s)+1 {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if again, err := ParseExpectation(e.String()); err != nil || again.String() != e.String() {
			t.Fatalf("%q: %s does not read back: %v", s, e, err)
		}
	})
}
