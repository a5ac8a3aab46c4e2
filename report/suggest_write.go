package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/exp-tool/exp/experiment"
)

// SuggestFormats are the formats of exp suggest.
var SuggestFormats = []Format{FormatText, FormatYAML, FormatJSON}

// WriteSuggest renders s in format f: prose with the YAML fragment last
// (text), the fragment alone with a comment line per range and schedule
// (yaml), or one JSON document (docs/suggest.md lists its keys).
func WriteSuggest(w io.Writer, f Format, s *Suggestion) error {
	switch f {
	case FormatText:
		return writeSuggestText(w, s)
	case FormatYAML:
		return writeSuggestYAML(w, s)
	case FormatJSON:
		return writeSuggestJSON(w, s)
	}
	return fmt.Errorf("unknown format %q", f)
}

// Fragment is the suggestion as keys of an experiment file:
// "workers: [1, 6, 7, 8]\nrepeats: 6\n".
func (s *Suggestion) Fragment() string {
	ws := make([]string, len(s.Workers))
	for i, w := range s.Workers {
		ws[i] = strconv.Itoa(w)
	}
	return fmt.Sprintf("workers: [%s]\nrepeats: %d\n", strings.Join(ws, ", "), s.Repeats)
}

// narrower says how many times narrower interval b is than a: "3.2 times
// narrower", "about as wide" within 5%, or "" when either is unknown.
func narrower(a, b Estimate) string {
	wa, wb := a.High-a.Low, b.High-b.Low
	if missing(wa) || missing(wb) || !(wb > 0) {
		return ""
	}
	if r := wa / wb; r > 1/1.05 && r < 1.05 {
		return " (about as wide)"
	}
	if wa >= wb {
		return fmt.Sprintf(" (%.1f times narrower)", wa/wb)
	}
	return fmt.Sprintf(" (%.1f times wider)", wb/wa)
}

func writeSuggestText(w io.Writer, s *Suggestion) error {
	var b strings.Builder
	pct := fmt.Sprintf("%g%%", s.Confidence*100)
	fmt.Fprintf(&b, "run %d (%s): where to measure next, with 1 to %d workers and each median within ±%s at %s\n",
		s.Run.ID, s.Run.Name, s.MaxWorkers, experiment.Percent(s.Precision), pct)
	for _, g := range s.Groups {
		fmt.Fprintf(&b, "\n%s, fitted now on workers %s\n", g.Group, intList(g.Workers))
		if g.Err != nil {
			fmt.Fprintf(&b, "  no plan: no Amdahl fit: %v\n", g.Err)
			continue
		}
		fmt.Fprintf(&b, "  B = %s, %s CI %s now; about %s with the plan below%s\n",
			sig(g.B.Value), pct, interval(g.B.Low, g.B.High, sig), interval(g.BNext.Low, g.BNext.High, sig), narrower(g.B, g.BNext))
		if missing(g.Sigma.Value) && missing(g.SigmaNext.High) {
			fmt.Fprintf(&b, "  USL: no fit now, nor with the plan (it needs 3 worker counts)\n")
		} else if missing(g.Sigma.Value) {
			fmt.Fprintf(&b, "  USL: no fit now; about σ in %s and κ in %s with the plan\n",
				interval(g.SigmaNext.Low, g.SigmaNext.High, sig), interval(g.KappaNext.Low, g.KappaNext.High, sci))
		} else {
			fmt.Fprintf(&b, "  USL: σ = %s %s, κ = %s %s now; about %s%s and %s%s with the plan\n",
				sig(g.Sigma.Value), interval(g.Sigma.Low, g.Sigma.High, sig), sci(g.Kappa.Value), interval(g.Kappa.Low, g.Kappa.High, sci),
				interval(g.SigmaNext.Low, g.SigmaNext.High, sig), narrower(g.Sigma, g.SigmaNext),
				interval(g.KappaNext.Low, g.KappaNext.High, sci), narrower(g.Kappa, g.KappaNext))
		}
		var best []string
		for _, r := range g.Ranking[:min(3, len(g.Ranking))] {
			best = append(best, fmt.Sprintf("%s (B ± %s)", plural(r.Workers, "worker"), sig(r.HalfWidth)))
		}
		fmt.Fprintf(&b, "  one more cell of %d trials in this run would narrow B the most at %s\n", s.Repeats, strings.Join(best, ", then "))
	}
	fmt.Fprintf(&b, "\neach median's %s interval now, ±%s wanted (the trials spread %.2g%% about their medians):\n",
		pct, experiment.Percent(s.Precision), s.RelSigma*100)
	for _, c := range s.Cells {
		verdict := "precise enough"
		switch {
		case missing(c.HalfWidth):
			verdict = fmt.Sprintf("too few trials for an interval of the median: at least %d", c.Needed)
		case c.Needed == 0:
			verdict = "the timing resolution alone is wider: no number of trials reaches it"
		case !c.Precise && c.Needed <= c.N:
			// The bulk of the trials is steady; a few slow ones widen the
			// interval: more trials alone would not help.
			verdict = "the spread of its bulk would need about " + strconv.Itoa(c.Needed) + " trials, yet a few slow ones widen the interval: see exp report's warnings"
		case !c.Precise:
			verdict = fmt.Sprintf("about %d trials", c.Needed)
		}
		now := fmt.Sprintf("±%.2g%%", c.HalfWidth*100)
		if missing(c.HalfWidth) {
			now = "no interval"
		}
		fmt.Fprintf(&b, "  %s, %s: %s with %d trials: %s\n", c.Group, plural(c.Workers, "worker"), now, c.N, verdict)
	}
	for _, n := range s.Notes {
		fmt.Fprintf(&b, "\nnote: %s\n", n)
	}
	fmt.Fprintf(&b, "\nnext run: %d worker counts x %d repeats, about %s of trials; in the experiment file, in place of its workers and repeats:\n\n%s",
		len(s.Workers), s.Repeats, dur(s.Seconds), s.Fragment())
	_, err := io.WriteString(w, b.String())
	return err
}

func writeSuggestYAML(w io.Writer, s *Suggestion) error {
	var b strings.Builder
	pct := fmt.Sprintf("%g%%", s.Confidence*100)
	fmt.Fprintf(&b, "# exp suggest, run %d (%s), up to %d workers, medians within ±%s\n", s.Run.ID, s.Run.Name, s.MaxWorkers, experiment.Percent(s.Precision))
	for _, g := range s.Groups {
		if g.Err != nil {
			fmt.Fprintf(&b, "# %s: no Amdahl fit\n", g.Group)
			continue
		}
		fmt.Fprintf(&b, "# %s: B %s CI %s now, about %s predicted\n",
			g.Group, pct, interval(g.B.Low, g.B.High, sig), interval(g.BNext.Low, g.BNext.High, sig))
	}
	b.WriteString(s.Fragment())
	_, err := io.WriteString(w, b.String())
	return err
}

type estimateJSON struct {
	Value any `json:"value"`
	Low   any `json:"ci_low"`
	High  any `json:"ci_high"`
}

func newEstimateJSON(e Estimate) estimateJSON {
	return estimateJSON{jsonValue(e.Value), jsonValue(e.Low), jsonValue(e.High)}
}

type countGainJSON struct {
	Workers   int `json:"workers"`
	HalfWidth any `json:"b_half_width"`
}

type groupPlanJSON struct {
	RangeIndex int             `json:"range_index"`
	RangeStart uint64          `json:"range_start"`
	RangeCount uint64          `json:"range_count"`
	Schedule   string          `json:"schedule"`
	Group      string          `json:"group"`
	WorkersNow []int           `json:"workers_now"`
	B          estimateJSON    `json:"b"`
	BNext      estimateJSON    `json:"b_next"`
	Sigma      estimateJSON    `json:"sigma"`
	SigmaNext  estimateJSON    `json:"sigma_next"`
	Kappa      estimateJSON    `json:"kappa"`
	KappaNext  estimateJSON    `json:"kappa_next"`
	Ranking    []countGainJSON `json:"ranking"`
	Error      any             `json:"error"`
}

type cellPlanJSON struct {
	Group     string `json:"group"`
	Workers   int    `json:"workers"`
	N         int    `json:"n"`
	HalfWidth any    `json:"half_width"`
	Needed    any    `json:"needed"`
	Precise   bool   `json:"precise"`
}

func writeSuggestJSON(w io.Writer, s *Suggestion) error {
	groups := make([]groupPlanJSON, len(s.Groups))
	for i, g := range s.Groups {
		j := groupPlanJSON{RangeIndex: g.RangeIndex, RangeStart: g.Range.Start, RangeCount: g.Range.Count, Schedule: string(g.Schedule),
			Group: g.Group, WorkersNow: g.Workers, B: newEstimateJSON(g.B), BNext: newEstimateJSON(g.BNext),
			Sigma: newEstimateJSON(g.Sigma), SigmaNext: newEstimateJSON(g.SigmaNext), Kappa: newEstimateJSON(g.Kappa), KappaNext: newEstimateJSON(g.KappaNext),
			Ranking: []countGainJSON{}}
		if g.Err != nil {
			nan := Estimate{math.NaN(), math.NaN(), math.NaN()}
			j.B, j.BNext, j.Sigma, j.SigmaNext, j.Kappa, j.KappaNext = newEstimateJSON(nan), newEstimateJSON(nan), newEstimateJSON(nan),
				newEstimateJSON(nan), newEstimateJSON(nan), newEstimateJSON(nan)
			j.Error = g.Err.Error()
		}
		for _, r := range g.Ranking {
			j.Ranking = append(j.Ranking, countGainJSON{r.Workers, jsonValue(r.HalfWidth)})
		}
		groups[i] = j
	}
	cells := make([]cellPlanJSON, len(s.Cells))
	for i, c := range s.Cells {
		var needed any
		if c.Needed > 0 {
			needed = c.Needed
		}
		cells[i] = cellPlanJSON{c.Group, c.Workers, c.N, jsonValue(c.HalfWidth), needed, c.Precise}
	}
	doc := struct {
		Run        RunJSON         `json:"run"`
		Confidence float64         `json:"confidence"`
		MaxWorkers int             `json:"max_workers"`
		Precision  float64         `json:"precision"`
		RelSigma   any             `json:"rel_sigma"`
		Workers    []int           `json:"workers"`
		Repeats    int             `json:"repeats"`
		Seconds    any             `json:"seconds"`
		YAML       string          `json:"yaml"`
		Groups     []groupPlanJSON `json:"groups"`
		Cells      []cellPlanJSON  `json:"cells"`
		Notes      []string        `json:"notes"`
	}{NewRunJSON(s.Run), s.Confidence, s.MaxWorkers, s.Precision, jsonValue(s.RelSigma), s.Workers, s.Repeats, jsonValue(s.Seconds), s.Fragment(),
		groups, cells, append([]string{}, s.Notes...)}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// intList renders ints as "1, 2, 4".
func intList(xs []int) string {
	ss := make([]string, len(xs))
	for i, x := range xs {
		ss[i] = strconv.Itoa(x)
	}
	return strings.Join(ss, ", ")
}
