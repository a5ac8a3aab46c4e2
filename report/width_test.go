package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/exp-tool/exp/experiment"
)

func TestDisplayWidth(t *testing.T) {
	for in, want := range map[string]int{
		"":            0,
		"primes":      6,
		"日本語":         6,
		"ＡＢ":          4,
		"café":        4,
		"cafe\u0301":  4, // e and a combining acute accent
		"σ κ ∞ µ":     7,
		"한국어 실험":      11,
		"a\u200db":    2, // a zero-width joiner
		"exp – scale": 11,
	} {
		if got := displayWidth(in); got != want {
			t.Errorf("displayWidth(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestTruncateWidth(t *testing.T) {
	for _, tc := range []struct {
		in   string
		w    int
		want string
	}{
		{"short", 40, "short"},
		{strings.Repeat("a", 40), 40, strings.Repeat("a", 40)},
		{strings.Repeat("a", 41), 40, strings.Repeat("a", 39) + "…"},
		{strings.Repeat("日", 21), 40, strings.Repeat("日", 19) + "…"}, // 38 columns, then the ellipsis
		{"日本語", 4, "日…"},
	} {
		got := truncateWidth(tc.in, tc.w)
		if got != tc.want || displayWidth(got) > tc.w {
			t.Errorf("truncateWidth(%q, %d) = %q (%d columns), want %q", tc.in, tc.w, got, displayWidth(got), tc.want)
		}
	}
}

// TestWriteRunsWideNames: a long name is cut to MaxNameWidth columns in the
// table (and only there), and names in CJK characters stay aligned: every
// row's STATUS starts in the same terminal column.
func TestWriteRunsWideNames(t *testing.T) {
	base, _, _ := fixture()
	long := strings.Repeat("very-long-experiment-name-", 8)
	var runs []experiment.Run
	for i, name := range []string{"primes", "素数の実験", "한국어 실험", long} {
		r := base
		r.ID, r.Name = int64(i+1), name
		runs = append(runs, r)
	}
	var b bytes.Buffer
	if err := WriteRuns(&b, FormatTable, runs); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines:\n%s", len(lines), b.String())
	}
	col := -1
	for _, line := range lines {
		status := strings.Index(line, "STATUS")
		if status < 0 {
			status = strings.Index(line, string(base.Status))
		}
		c := displayWidth(line[:status])
		if col >= 0 && c != col {
			t.Errorf("STATUS at column %d, want %d:\n%s", c, col, b.String())
		}
		col = c
	}
	if !strings.Contains(lines[4], strings.Repeat("very-long-experiment-name-", 1)) || !strings.Contains(lines[4], "…") || strings.Contains(lines[4], long) {
		t.Errorf("long name not cut to %d columns: %q", MaxNameWidth, lines[4])
	}
	if want := len("ID") + 2 + 36 + 2 + MaxNameWidth + 2; col != want {
		t.Errorf("STATUS at column %d, want %d (the name column capped at %d)", col, want, MaxNameWidth)
	}
	b.Reset()
	if err := WriteRuns(&b, FormatCSV, runs); err != nil || !strings.Contains(b.String(), long) {
		t.Errorf("CSV cut the long name (%v)", err)
	}
}
