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

// progress reports trials done on stderr: a redrawn bar with an ETA on a
// terminal, a plain line every ProgressEvery otherwise, nothing when quiet.
type progress struct {
	w          io.Writer
	quiet, tty bool
	total      int
	start      time.Time
	last       time.Time
	drawn      bool
	now        func() time.Time
}

func newProgress(w io.Writer, quiet bool, total int) *progress {
	p := &progress{w: w, quiet: quiet, total: total, now: time.Now}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	p.start = p.now()
	p.last = p.start
	return p
}

// update is the Runner's progress callback.
func (p *progress) update(done, total int) {
	if p.quiet {
		return
	}
	now := p.now()
	elapsed := now.Sub(p.start)
	eta := time.Duration(0)
	if done > 0 {
		eta = time.Duration(float64(elapsed) / float64(done) * float64(total-done))
	}
	if p.tty {
		// Redraw at most every ProgressRedraw, and always at the end.
		if p.drawn && now.Sub(p.last) < ProgressRedraw && done < total {
			return
		}
		p.last = now
		const width = 30
		fill := width * done / max(total, 1)
		fmt.Fprintf(p.w, "\r\033[K[%s%s] %d/%d trials  %s elapsed  ETA %s",
			strings.Repeat("#", fill), strings.Repeat(".", width-fill), done, total, round(elapsed), round(eta))
		p.drawn = true
		return
	}
	if now.Sub(p.last) >= ProgressEvery || done == total {
		p.last = now
		fmt.Fprintf(p.w, "progress: %d/%d trials (%.0f%%), %s elapsed, ETA %s\n",
			done, total, 100*float64(done)/float64(max(total, 1)), round(elapsed), round(eta))
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

// note prints a diagnostic line, such as a retry while the database is
// locked, even when quiet; on a terminal it takes the bar's line, and the
// bar is drawn again at the next update.
func (p *progress) note(msg string) {
	if p.tty && p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
	fmt.Fprintln(p.w, msg)
}
