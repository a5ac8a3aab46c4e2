package report

import "testing"

func TestAbove(t *testing.T) {
	check := func(v, limit float64, want string) {
		t.Helper()
		if got := above(v, limit); got != want {
			t.Errorf("above(%g, %g) = %q, want %q", v, limit, got, want)
		}
	}
	check(5.04, 5, "5.04%") // never "5.0% > 5%"
	check(5.0001, 5, "5.0001%")
	check(7.26, 5, "7.3%")
	check(5.06, 5, "5.1%")
}
