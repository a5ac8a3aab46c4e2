package report

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// MaxNameWidth is the most terminal columns exp runs gives a run's name in
// its table; a longer name is cut and ends in "…".
const MaxNameWidth = 40

// displayWidth is how many terminal columns s takes (Unicode UAX #11): two
// for an East Asian wide or fullwidth character (日本, ＡＢ), none for a
// combining mark or another zero-width character, one for every other.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

func runeWidth(r rune) int {
	switch {
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) || unicode.IsControl(r):
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// truncateWidth returns s if it fits in w columns, else its longest prefix
// that fits in w-1 columns followed by "…".
func truncateWidth(s string, w int) string {
	if displayWidth(s) <= w {
		return s
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		rw := runeWidth(r)
		if n+rw > w-1 {
			break
		}
		b.WriteRune(r)
		n += rw
	}
	return b.String() + "…"
}
