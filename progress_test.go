package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

var base = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// fakeClock returns base+step, base+2*step, ... on successive calls.
func fakeClock(step time.Duration) func() time.Time {
	t := base
	return func() time.Time { t = t.Add(step); return t }
}

func TestProgress(t *testing.T) {
	t.Run("PlainLinesEveryFewSeconds", func(t *testing.T) {
		var b bytes.Buffer
		p := newProgress(&b, false, 10)
		p.now = fakeClock(time.Second) // trial i finishes at i seconds
		p.start, p.last = base, base
		for i := 1; i <= 12; i++ {
			p.update(i, 12)
		}
		p.finish()
		lines := strings.Split(strings.TrimSpace(b.String()), "\n")
		// ProgressEvery is 5 s: lines at 5 s and 10 s, and always at the end.
		want := []string{"progress: 5/12 trials (42%), 5s elapsed, ETA 7s", "progress: 10/12 trials (83%), 10s elapsed, ETA 2s",
			"progress: 12/12 trials (100%), 12s elapsed, ETA 0s"}
		if strings.Join(lines, "\n") != strings.Join(want, "\n") {
			t.Errorf("lines = %q, want %q", lines, want)
		}
		if !strings.Contains(lines[0], "ETA") || strings.Contains(b.String(), "\r") {
			t.Errorf("plain output should have an ETA and no carriage returns: %q", b.String())
		}
	})
	t.Run("BarOnTerminal", func(t *testing.T) {
		var b bytes.Buffer
		p := newProgress(&b, false, 4)
		p.tty = true
		p.now = fakeClock(2 * time.Second)
		p.start = base
		p.update(2, 4) // 2 of 4 in 2 s: ETA 2 s
		p.finish()
		out := b.String()
		if !strings.HasPrefix(out, "\r\033[K[###############...............] 2/4 trials") || !strings.Contains(out, "ETA 2s") || !strings.HasSuffix(out, "\n") {
			t.Errorf("bar = %q", out)
		}
	})
	t.Run("Quiet", func(t *testing.T) {
		var b bytes.Buffer
		p := newProgress(&b, true, 3)
		p.update(3, 3)
		p.finish()
		if b.Len() != 0 {
			t.Errorf("quiet progress wrote %q", b.String())
		}
	})
}
