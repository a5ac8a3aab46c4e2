package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// ProgressEvery is how often progress is printed when stderr is not a terminal.
var ProgressEvery = 5 * time.Second

// ProgressRedraw is how often the progress bar may be redrawn on a terminal.
var ProgressRedraw = 100 * time.Millisecond

// ProgressDelay is how long a phase that is usually instant (the oracle)
// runs before its bar appears on a terminal.
var ProgressDelay = time.Second

// progress reports work done on stderr: a redrawn bar with an ETA on a
// terminal, a plain line every ProgressEvery otherwise, nothing when quiet.
type progress struct {
	w          io.Writer
	quiet, tty bool
	label      string // names the plain lines ("progress", "oracle"), and the bar unless it is "progress"
	unit       string // what is counted: "trials", "numbers"
	total      int
	start      time.Time
	last       time.Time
	drawn      bool
	// slowOnly shows nothing until the phase has run ProgressDelay (on a
	// terminal) or ProgressEvery, and no final line if nothing was shown:
	// for a phase that is usually instant.
	slowOnly bool
	shown    bool // whether anything was written
	done     int  // work done at the last update
	waited   bool // whether the current wait has been reported in plain lines
	now      func() time.Time
}

// newProgress reports the trials of a run.
func newProgress(w io.Writer, quiet bool, total int) *progress {
	p := &progress{w: w, quiet: quiet, label: "progress", unit: "trials", total: total, now: time.Now}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	p.start = p.now()
	p.last = p.start
	return p
}

// newOracleProgress reports the numbers the oracle has checked, only once
// it is slow enough to be worth watching.
func newOracleProgress(w io.Writer, quiet bool, total int) *progress {
	p := newProgress(w, quiet, total)
	p.label, p.unit, p.slowOnly = "oracle", "numbers", true
	return p
}

// update is the Runner's progress callback.
func (p *progress) update(done, total int) {
	if p.quiet {
		return
	}
	p.done, p.waited = done, false
	now := p.now()
	elapsed := now.Sub(p.start)
	eta := time.Duration(0)
	if done > 0 {
		eta = time.Duration(float64(elapsed) / float64(done) * float64(total-done))
	}
	if p.tty {
		// Redraw at most every ProgressRedraw, and always at the end.
		if p.drawn && now.Sub(p.last) < ProgressRedraw && done < total || p.slowOnly && !p.drawn && elapsed < ProgressDelay {
			return
		}
		p.last = now
		p.draw(done, total, fmt.Sprintf("%s elapsed  ETA %s", round(elapsed), round(eta)))
		return
	}
	if now.Sub(p.last) >= ProgressEvery || done == total && (p.shown || !p.slowOnly) {
		p.last, p.shown = now, true
		fmt.Fprintf(p.w, "%s: %d/%d %s (%.0f%%), %s elapsed, ETA %s\n",
			p.label, done, total, p.unit, 100*float64(done)/float64(max(total, 1)), round(elapsed), round(eta))
	}
}

// draw redraws the bar: done of total, then tail.
func (p *progress) draw(done, total int, tail string) {
	const width = 30
	fill := width * min(done, total) / max(total, 1)
	prefix := ""
	if p.label != "progress" {
		prefix = p.label + " "
	}
	fmt.Fprintf(p.w, "\r\033[K%s[%s%s] %d/%d %s  %s", prefix,
		strings.Repeat("#", fill), strings.Repeat(".", width-fill), done, total, p.unit, tail)
	p.drawn, p.shown = true, true
}

// waiting says what the run waits for before its next trial (the noise
// guard): after the bar on a terminal, else in a plain line once per wait
// and then every ProgressEvery.
func (p *progress) waiting(what string) {
	if p.quiet {
		return
	}
	now := p.now()
	if p.tty {
		p.draw(p.done, p.total, what)
		return
	}
	if !p.waited || now.Sub(p.last) >= ProgressEvery {
		p.last, p.waited, p.shown = now, true, true
		fmt.Fprintf(p.w, "%s: before trial %d of %d, %s\n", p.label, p.done+1, p.total, what)
	}
}

// finish ends the bar's line so later messages start on their own line.
func (p *progress) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}

func round(d time.Duration) time.Duration {
	if d > time.Minute {
		return d.Round(time.Second)
	}
	return d.Round(100 * time.Millisecond)
}
