package store

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestParseInts checks parseInts against strconv.ParseInt on
// group_concat's lists, at the ends of int64 and past them.
func TestParseInts(t *testing.T) {
	check := func(s string, want []int64, wantOK bool) {
		t.Helper()
		got, ok := parseInts(s, nil)
		if ok != wantOK || ok && !slices.Equal(got, want) {
			t.Errorf("parseInts(%q) = %v, %v; want %v, %v", s, got, ok, want, wantOK)
		}
	}
	check("", nil, true)
	check("0", []int64{0}, true)
	check("-1,2,30", []int64{-1, 2, 30}, true)
	check("9223372036854775807,-9223372036854775808", []int64{math.MaxInt64, math.MinInt64}, true)
	for _, bad := range []string{"9223372036854775808", "-9223372036854775809", "18446744073709551616", "99999999999999999999",
		"1,", ",1", "1,,2", "-", "1.5", "1e3", " 1", "+1", "0x1", "NULL"} {
		check(bad, nil, false)
	}
	for _, n := range []int64{1, 9, 10, 99, 1e18, math.MaxInt64 / 10, math.MaxInt64 - 1} {
		for _, x := range []int64{n, -n} {
			s := strconv.FormatInt(x, 10)
			check(strings.Repeat(s+",", 3)+s, []int64{x, x, x, x}, true)
		}
	}
}

// TestChunkColumnsOrder checks that a chunk SQLite concatenated out of
// seq order is read in seq order.
func TestChunkColumnsOrder(t *testing.T) {
	c := trialChunk{n: 3, cols: [chunkWidth]string{"5,3,4", "1,1,2", "50,30,40", "0,0,0", "0,0,0", "0,0,0", "2,2,2", "-1,-1,-1"}}
	var cc chunkColumns
	if err := cc.parse(&c); err != nil {
		t.Fatal(err)
	}
	var walls []int64
	for _, i := range cc.order {
		walls = append(walls, cc.v[colWall][i])
	}
	if !slices.Equal(walls, []int64{30, 40, 50}) {
		t.Errorf("walls in seq order %v, want [30 40 50]", walls)
	}
	c.cols[colUser] = "0,0"
	if err := cc.parse(&c); err == nil {
		t.Error("a column of 2 values for 3 trials parsed")
	}
}
