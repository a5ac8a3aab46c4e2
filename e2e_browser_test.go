package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// browserYAML is a quick synthetic matrix (about 2.5 s of trials) with 4
// processor counts, so that the page has the USL and the model choice, and
// few trials, so that every cell has a warning.
const browserYAML = `name: browser
seed: 5
repeats: 4
warmup: 0
kernel: synthetic
synthetic: {serial: 50ms, parallel: 200ms, mode: sleep}
workers: [1, 2, 3, 4]
`

// chromiumTimeout bounds each run of the browser.
const chromiumTimeout = 60 * time.Second

// findChromium returns the browser's path: $CHROMIUM, or chromium (Debian's
// package) or another name for it on $PATH. Without one the test skips,
// unless $EXP_BROWSER_TEST is "required" (.ci/run sets it after installing
// chromium), when it fails.
func findChromium(t *testing.T) string {
	t.Helper()
	names := []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}
	if env := os.Getenv("CHROMIUM"); env != "" {
		names = []string{env}
	}
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	msg := fmt.Sprintf("chromium not found (looked for %s): .ci/run installs Debian's chromium; "+
		"apt-get install chromium, or set $CHROMIUM to a Chromium or Chrome binary, to run this test", strings.Join(names, ", "))
	if os.Getenv("EXP_BROWSER_TEST") == "required" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// chromium runs the headless browser on file with args, with a fresh
// profile and no network services, and returns its standard output. It
// kills the browser's whole process group at chromiumTimeout.
func chromium(t *testing.T, bin, file string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), chromiumTimeout)
	defer cancel()
	all := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
		"--hide-scrollbars", "--force-device-scale-factor=1", "--user-data-dir=" + t.TempDir()}, args...)
	cmd := exec.CommandContext(ctx, bin, append(all, "file://"+file)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v (context: %v)\nstderr (Chromium's dbus and GPU errors are harmless):\n%s", strings.Join(args, " "), err, ctx.Err(), errb.String())
	}
	return out.Bytes()
}

// probe is what the script injected by probePage finds in the page laid
// out in the browser, CSS pixels.
type probe struct {
	SVG *struct {
		X, Y, W, H float64 // the first <svg>'s box, from the top left of the page
	} `json:"svg"`
	ScrollWidth int      `json:"scrollWidth"` // of the whole document
	ClientWidth int      `json:"clientWidth"` // of the window, without a scrollbar
	Scrolls     [][2]int `json:"scrolls"`     // each table's box: [scrollWidth, clientWidth]
}

// probeScript writes a probe as JSON into the data-probe attribute of the
// top page's html element, which --dump-dom prints; it adds nothing to the
// layout.
const probeScript = `<script>
(function () {
  var s = document.querySelector('svg'), r = s && s.getBoundingClientRect();
  var p = {
    svg: r ? {X: r.left + window.scrollX, Y: r.top + window.scrollY, W: r.width, H: r.height} : null,
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
    scrolls: Array.prototype.map.call(document.querySelectorAll('.scroll'), function (e) { return [e.scrollWidth, e.clientWidth]; })
  };
  window.top.document.documentElement.setAttribute('data-probe', JSON.stringify(p));
})();
</script>
</body>`

// probePage lays out a copy of page with probeScript in a w x h frame, and
// returns what the script found and a screenshot of the same layout.
//
// Headless Chromium makes no window narrower than 500 px, and lays out
// --dump-dom at that width but a --screenshot at the width asked for; so
// the copy is the srcdoc of a w x h iframe at the top left of a page of
// its own (same origin, so the script reaches the top page), which lays
// out alike in both at any width. In a frame the page's viewport is the
// frame: its media queries and widths are a phone's.
func probePage(t *testing.T, bin, page string, w, h int) (probe, image.Image) {
	t.Helper()
	src, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(src, []byte("</body>")) {
		t.Fatalf("%s has no </body>", page)
	}
	probed := bytes.Replace(src, []byte("</body>"), []byte(probeScript), 1)
	frame := fmt.Sprintf(`<!DOCTYPE html><html><head><style>html, body { margin: 0; padding: 0; background: #fff; } iframe { display: block; border: 0; }</style></head>`+
		`<body><iframe width="%d" height="%d" srcdoc="%s"></iframe></body></html>`, w, h, html.EscapeString(string(probed)))
	framed := filepath.Join(t.TempDir(), "framed.html")
	if err := os.WriteFile(framed, []byte(frame), 0o644); err != nil {
		t.Fatal(err)
	}
	size := fmt.Sprintf("--window-size=%d,%d", max(w, 500), h)
	dom := chromium(t, bin, framed, size, "--dump-dom")
	m := regexp.MustCompile(`<html data-probe="([^"]*)"`).FindSubmatch(dom)
	if m == nil {
		t.Fatalf("the probe script wrote nothing at %dx%d; DOM:\n%.2000s", w, h, dom)
	}
	var p probe
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &p); err != nil {
		t.Fatalf("probe %s: %v", m[1], err)
	}
	shot := filepath.Join(t.TempDir(), "shot.png")
	chromium(t, bin, framed, size, "--screenshot="+shot)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot %s: %v", shot, err)
	}
	if b := img.Bounds(); b.Dx() < w || b.Dy() < h {
		t.Errorf("screenshot is %dx%d, want at least %dx%d", b.Dx(), b.Dy(), w, h)
	}
	return p, img
}

// inked counts the pixels of img inside the box (x, y, w, h), clipped to
// the image: visible is the clipped box's area, inked the pixels at least
// 10% darker than white (what the plot drew on its white figure), and
// coloured those whose channels differ by 60/255 or more (the series'
// markers and curves, drawn in the Okabe–Ito palette, not the grey axes
// and text).
func inked(img image.Image, x, y, w, h float64) (visible, inked, coloured int) {
	r := image.Rect(int(math.Ceil(x)), int(math.Ceil(y)), int(x+w), int(y+h)).Intersect(img.Bounds())
	for py := r.Min.Y; py < r.Max.Y; py++ {
		for px := r.Min.X; px < r.Max.X; px++ {
			cr, cg, cb, _ := img.At(px, py).RGBA()
			if dark := 3*0xffff - int(cr+cg+cb); dark > 3*0xffff/10 {
				inked++
			}
			if max(cr, cg, cb)-min(cr, cg, cb) >= 60*0x101 {
				coloured++
			}
		}
	}
	return r.Dx() * r.Dy(), inked, coloured
}

// checkLayout checks a page laid out at a desktop (1280 px) and a phone
// (375 px) width: its plot is drawn (enough inked pixels in the SVG's box
// of the screenshot) and scales with the width, the page is never wider
// than the window, and the tables scroll inside their own boxes.
func checkLayout(t *testing.T, bin, page string) {
	for _, size := range []struct {
		name string
		w, h int
	}{{"Desktop", 1280, 2000}, {"Phone", 375, 2000}} {
		t.Run(size.name, func(t *testing.T) {
			p, img := probePage(t, bin, page, size.w, size.h)
			t.Logf("probe at %dx%d: %+v, svg %+v", size.w, size.h, p, p.SVG)
			if p.ClientWidth != size.w {
				t.Errorf("the page was laid out %d px wide, want %d", p.ClientWidth, size.w)
			}
			if p.ScrollWidth > p.ClientWidth {
				t.Errorf("the page is %d px wide in a %d px window: something does not wrap or scroll in its box", p.ScrollWidth, p.ClientWidth)
			}
			if len(p.Scrolls) < 2 {
				t.Errorf("%d table boxes, want the cell and fit tables", len(p.Scrolls))
			}
			for i, s := range p.Scrolls {
				if s[1] > p.ClientWidth {
					t.Errorf("table box %d is %d px wide in a %d px window", i, s[1], p.ClientWidth)
				}
				if i == 0 && size.w < 500 && s[0] <= s[1] {
					t.Errorf("the cell table (%d px) fits its box (%d px) on a phone: its 17 columns should scroll inside it", s[0], s[1])
				}
			}
			if p.SVG == nil {
				t.Fatal("the page has no <svg>")
			}
			if p.SVG.W < 0.7*float64(p.ClientWidth) || p.SVG.W > float64(p.ClientWidth) || p.SVG.H < 50 {
				t.Errorf("the plot is %.0fx%.0f px in a %d px window: it should take most of the width, and keep its aspect", p.SVG.W, p.SVG.H, p.ClientWidth)
			}
			visible, ink, colour := inked(img, p.SVG.X, p.SVG.Y, p.SVG.W, p.SVG.H)
			t.Logf("plot: %d visible pixels, %.2f%% inked, %.2f%% coloured", visible, 100*float64(ink)/float64(max(visible, 1)), 100*float64(colour)/float64(max(visible, 1)))
			if visible < 10000 {
				t.Fatalf("only %d px of the plot are in the %dx%d screenshot", visible, size.w, size.h)
			}
			if float64(ink) < 0.01*float64(visible) {
				t.Errorf("the plot's box is blank in the screenshot: %d of %d pixels inked, want at least 1%%", ink, visible)
			}
			if float64(colour) < 0.001*float64(visible) {
				t.Errorf("the plot has no data in the screenshot: %d of %d pixels in colour, want at least 0.1%% (markers and curves)", colour, visible)
			}
		})
	}
}

// reportJSON is the part of exp report --format json that the browser
// test compares with the page.
type reportJSON struct {
	Cells []struct {
		Schedule string   `json:"schedule"`
		Workers  int      `json:"workers"`
		MedianS  float64  `json:"median_s"`
		Warnings []string `json:"warnings"`
	} `json:"cells"`
	Fits []struct {
		Warnings  []string `json:"warnings"`
		KarpFlatt *struct {
			Warnings []string `json:"warnings"`
		} `json:"karp_flatt"`
		USL *struct {
			Warnings []string `json:"warnings"`
		} `json:"usl"`
	} `json:"fits"`
	Warnings []string `json:"warnings"`
}

// TestHTMLReportInBrowser runs a small experiment, writes exp report
// --format html --output r.html, and opens it in a real headless
// Chromium: the DOM must hold every cell's median and schedule as the
// JSON report gives them, and every warning; laid out at a desktop and a
// phone width, the plot must be drawn and scale, and nothing may be wider
// than the window.
func TestHTMLReportInBrowser(t *testing.T) {
	bin := findChromium(t)
	dir := t.TempDir()
	writeFile(t, dir, "b.yaml", browserYAML)
	// Interrupted after 3 of its 16 trials and resumed, the run has a
	// warning of its own (resumed) on every machine.
	interruptAfter(t, dir, filepath.Join(dir, "exp.db"), 1, "run", "b.yaml", "-q")
	if r := exp(t, dir, nil, "run", "--resume", "latest", "-q"); r.code != 0 {
		t.Fatalf("run --resume latest: exit %d\n%s", r.code, r.stderr)
	}
	if r := exp(t, dir, nil, "report", "--format", "html", "--output", "r.html"); r.code != 0 || r.stdout != "" {
		t.Fatalf("report --format html --output r.html: exit %d, stdout %q\n%s", r.code, r.stdout, r.stderr)
	}
	r := exp(t, dir, nil, "report", "--format", "json")
	var rep reportJSON
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep.Cells) != 4 {
		t.Fatalf("report json: %v, %d cells\n%s", err, len(rep.Cells), r.stdout)
	}
	page := filepath.Join(dir, "r.html")
	dom := string(chromium(t, bin, page, "--dump-dom"))
	t.Run("Cells", func(t *testing.T) { checkCells(t, dom, rep) })
	t.Run("Warnings", func(t *testing.T) {
		text := html.UnescapeString(dom)
		ws := rep.Warnings
		for _, c := range rep.Cells {
			ws = append(ws, c.Warnings...)
		}
		for _, f := range rep.Fits {
			ws = append(ws, f.Warnings...)
			if f.KarpFlatt != nil {
				ws = append(ws, f.KarpFlatt.Warnings...)
			}
			if f.USL != nil {
				ws = append(ws, f.USL.Warnings...)
			}
		}
		if len(rep.Warnings) == 0 || len(ws) <= len(rep.Warnings) {
			t.Fatalf("the run should have warnings on the run (resumed) and its cells (few trials), got %q", ws)
		}
		for _, w := range ws {
			if !strings.Contains(text, w) {
				t.Errorf("the DOM lacks the warning %q", w)
			}
		}
	})
	t.Run("Layout", func(t *testing.T) { checkLayout(t, bin, page) })
}

// checkCells checks that each row of the DOM's cell table shows the
// schedule, workers and median (to the table's 4 significant digits) of
// the JSON report's cell.
func checkCells(t *testing.T, dom string, rep reportJSON) {
	table := regexp.MustCompile(`(?s)<section id="cells">.*?</table>`).FindString(dom)
	header := regexp.MustCompile(`<th[^>]*>([^<]*)</th>`).FindAllStringSubmatch(table, -1)
	col := map[string]int{}
	for i, h := range header {
		if _, dup := col[h[1]]; !dup {
			col[h[1]] = i
		}
	}
	rows := regexp.MustCompile(`(?s)<tr>(.*?)</tr>`).FindAllStringSubmatch(table, -1)
	if len(rows) != 1+len(rep.Cells) {
		t.Fatalf("the cell table has %d rows, want a header and %d cells:\n%s", len(rows), len(rep.Cells), table)
	}
	for i, c := range rep.Cells {
		var cells []string
		for _, m := range regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`).FindAllStringSubmatch(rows[i+1][1], -1) {
			cells = append(cells, html.UnescapeString(m[1]))
		}
		if len(cells) != len(header) {
			t.Fatalf("row %d has %d cells, the header %d", i, len(cells), len(header))
		}
		if got := cells[col["SCHEDULE"]]; got != c.Schedule {
			t.Errorf("row %d: SCHEDULE %q, the JSON's schedule %q", i, got, c.Schedule)
		}
		if got := cells[col["WORKERS"]]; got != strconv.Itoa(c.Workers) {
			t.Errorf("row %d: WORKERS %q, the JSON's %d", i, got, c.Workers)
		}
		got := cells[col["MEDIAN"]]
		ms, err := strconv.ParseFloat(strings.TrimSuffix(got, "ms"), 64)
		if err != nil || !strings.HasSuffix(got, "ms") || math.Abs(ms/1e3-c.MedianS) > 5e-4*c.MedianS {
			t.Errorf("row %d: MEDIAN %q, the JSON's median_s %g (%.4gms)", i, got, c.MedianS, c.MedianS*1e3)
		}
	}
}
