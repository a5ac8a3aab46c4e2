package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exp-tool/exp/experiment"
)

// TestHoistLimitFlags: --quiet-machine takes its value only after "=", so
// the word after it stays the experiment file; --max-duration takes the
// next word.
func TestHoistLimitFlags(t *testing.T) {
	app := newApp(nil, nil)
	for in, want := range map[string]string{
		"exp run --quiet-machine e.yaml":              "exp run --quiet-machine -- e.yaml",
		"exp run e.yaml --quiet-machine=2m":           "exp run --quiet-machine=2m -- e.yaml",
		"exp run --max-duration 2h e.yaml --dry-run":  "exp run --max-duration 2h --dry-run -- e.yaml",
		"exp run --quiet-machine --max-duration 1h e": "exp run --quiet-machine --max-duration 1h -- e",
		"exp report --exclude-contended --run 3":      "exp report --exclude-contended --run 3",
	} {
		got, err := hoistFlags(app, strings.Fields(in))
		if err != nil || !slices.Equal(got, strings.Fields(want)) {
			t.Errorf("hoistFlags(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestOptionalDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"true": 30 * time.Second, "2m": 2 * time.Minute, "1.5s": 1500 * time.Millisecond} {
		v := &optionalDuration{def: 30 * time.Second}
		if err := v.Set(in); err != nil || !v.set || v.d != want {
			t.Errorf("Set(%q) = %v: set %v, %v; want %v", in, err, v.set, v.d, want)
		}
	}
	for _, in := range []string{"soon", "0s", "-1m", ""} {
		if err := (&optionalDuration{}).Set(in); err == nil || err.Error() != "must be a duration > 0 such as 30s or 5m" {
			t.Errorf("Set(%q) = %v, want an error saying what is allowed", in, err)
		}
	}
	v := &optionalDuration{def: time.Second}
	if v.Set("false"); v.set || v.String() != "" {
		t.Errorf("--quiet-machine=false: set %v, %q; want off", v.set, v.String())
	}
}

func TestLimitNotes(t *testing.T) {
	for _, tc := range []struct {
		sum  experiment.Summary
		want string
	}{
		{experiment.Summary{Trials: 5}, ""},
		{experiment.Summary{Trials: 5, TimedOut: 2}, " (2 timed out, in no statistic)"},
		{experiment.Summary{Trials: 5, QuietWaitNS: int64(1234 * time.Millisecond)}, " (waited 1.2s in all for a quiet machine)"},
		{experiment.Summary{Trials: 5, TimedOut: 1, QuietWaitNS: int64(2 * time.Minute)}, " (1 timed out, in no statistic; waited 2m0s in all for a quiet machine)"},
	} {
		if got := limitNotes(tc.sum); got != tc.want {
			t.Errorf("limitNotes(%+v) = %q, want %q", tc.sum, got, tc.want)
		}
	}
}

func TestOracleProgressLines(t *testing.T) {
	t.Run("SlowPlain", func(t *testing.T) {
		var b bytes.Buffer
		p := newOracleProgress(&b, false, 1000)
		p.now = fakeClock(3 * time.Second)
		p.start, p.last = base, base
		for done := 250; done <= 1000; done += 250 {
			p.update(done, 1000)
		}
		p.finish()
		// A line every 5 s (at 6 s; 9 s is too soon after it), and the last.
		want := "oracle: 500/1000 numbers (50%), 6s elapsed, ETA 6s\noracle: 1000/1000 numbers (100%), 12s elapsed, ETA 0s\n"
		if b.String() != want {
			t.Errorf("lines = %q, want %q", b.String(), want)
		}
	})
	t.Run("QuickIsSilent", func(t *testing.T) {
		var b bytes.Buffer
		p := newOracleProgress(&b, false, 1000)
		p.tty = true
		p.update(1000, 1000)
		p.finish()
		if b.Len() != 0 {
			t.Errorf("a quick oracle wrote %q", b.String())
		}
	})
	t.Run("SlowBar", func(t *testing.T) {
		var b bytes.Buffer
		p := newOracleProgress(&b, false, 4)
		p.tty = true
		p.now = fakeClock(2 * time.Second)
		p.start = base
		p.update(2, 4)
		p.finish()
		if out := b.String(); !strings.HasPrefix(out, "\r\033[Koracle [###############...............] 2/4 numbers  2s elapsed  ETA 2s") {
			t.Errorf("bar = %q", out)
		}
	})
}

func TestProgressWaiting(t *testing.T) {
	t.Run("Plain", func(t *testing.T) {
		var b bytes.Buffer
		p := newProgress(&b, false, 10)
		p.now = fakeClock(time.Second)
		p.start, p.last = base, base
		p.update(3, 10) // no line yet: 1 s
		for range 7 {   // a line at the start of the wait (2 s), one 5 s later (7 s)
			p.waiting("waiting for a quiet machine")
		}
		p.update(4, 10)            // 9 s: too soon after the last line
		p.waiting("waiting again") // a new wait is said at once
		want := "progress: before trial 4 of 10, waiting for a quiet machine\n" +
			"progress: before trial 4 of 10, waiting for a quiet machine\n" +
			"progress: before trial 5 of 10, waiting again\n"
		if b.String() != want {
			t.Errorf("lines =\n%s\nwant\n%s", b.String(), want)
		}
	})
	t.Run("Bar", func(t *testing.T) {
		var b bytes.Buffer
		p := newProgress(&b, false, 4)
		p.tty = true
		p.waiting("waiting for a quiet machine")
		if out := b.String(); out != "\r\033[K[..............................] 0/4 trials  waiting for a quiet machine" {
			t.Errorf("bar = %q", out)
		}
	})
	t.Run("Quiet", func(t *testing.T) {
		var b bytes.Buffer
		newProgress(&b, true, 4).waiting("waiting")
		if b.Len() != 0 {
			t.Errorf("quiet progress wrote %q", b.String())
		}
	})
}
