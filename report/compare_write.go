package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// WriteComparison renders an exp compare: table, markdown, csv (one row
// per cell, matched or not) or json (everything).
func WriteComparison(w io.Writer, f Format, c *Comparison) error {
	switch f {
	case FormatTable:
		return writeComparisonText(w, c, aligned)
	case FormatMarkdown:
		return writeComparisonText(w, c, markdown)
	case FormatCSV:
		return writeComparisonCSV(w, c)
	case FormatJSON:
		return writeComparisonJSON(w, c)
	}
	return fmt.Errorf("unknown format %q", f)
}

// CompareFormats lists the formats exp compare accepts.
var CompareFormats = []Format{FormatTable, FormatCSV, FormatJSON, FormatMarkdown}

func runLine(side string, r *Report) string {
	run, h := r.Run, r.Run.Host
	return fmt.Sprintf("%s: run %d  %s  %q  %s  started %s  on %s (%s, %d usable CPUs)", side, run.ID, run.UUID, run.Name, run.Status,
		run.StartedAt.Format(time.RFC3339), h.Hostname, orDash(h.CPUModel), r.UsableCPUs)
}

// deltaText is the change of the median, followed by ~ when it does not
// count (not significant, or below the threshold).
func deltaText(d CellDiff) string {
	switch {
	case math.IsNaN(d.Delta):
		return "-"
	case !d.Differs:
		return fmt.Sprintf("%+.1f%% ~", d.Delta*100)
	}
	return fmt.Sprintf("%+.1f%%", d.Delta*100)
}

func summaryCI(n int, lo, hi float64) string {
	if n == 0 {
		return "-"
	}
	return interval(lo, hi, dur)
}

func cellCompareGrid(c *Comparison) grid {
	ci := ciHeader(c.A)
	g := grid{header: []string{"RANGE", "SCHEDULE", "WORKERS", "A MEDIAN", ci, "B MEDIAN", ci, "DELTA", "P", "N", "WARNINGS"}}
	for _, d := range c.Cells {
		med := func(n int, v float64) string {
			if n == 0 {
				return "-"
			}
			return dur(v)
		}
		g.rows = append(g.rows, []string{c.A.Label(d.Range), string(d.Schedule), strconv.Itoa(d.Workers),
			med(d.NA, d.A.Center), summaryCI(d.NA, d.A.Lo, d.A.Hi), med(d.NB, d.B.Center), summaryCI(d.NB, d.B.Lo, d.B.Hi),
			deltaText(d), pValue(d.P), fmt.Sprintf("%d+%d", d.NA, d.NB), joinWarnings(d.Warnings)})
	}
	geo := "-"
	if !math.IsNaN(c.Geomean) {
		geo = fmt.Sprintf("%+.1f%%", (c.Geomean-1)*100)
	}
	g.rows = append(g.rows, []string{"geomean", "", "", "", "", "", "", geo, "", "", ""})
	return g
}

func fitCompareGrid(c *Comparison) grid {
	ci := ciHeader(c.A)
	g := grid{header: []string{"RANGE", "SCHEDULE", "B IN A", ci, "B IN B", ci, "DIFFERENCE", ci, "AGREE", "WARNINGS"}}
	four := func(v float64) string { return num(v, 4) }
	for _, f := range c.Fits {
		row := []string{c.A.Label(f.Range), string(f.Schedule), "-", "-", "-", "-", "-", "-", "-", joinWarnings(f.Warnings)}
		if f.A.AmdahlErr == nil {
			row[2], row[3] = four(f.A.Amdahl.B), interval(f.A.Amdahl.BLow, f.A.Amdahl.BHigh, four)
		}
		if f.B.AmdahlErr == nil {
			row[4], row[5] = four(f.B.Amdahl.B), interval(f.B.Amdahl.BLow, f.B.Amdahl.BHigh, four)
		}
		if !math.IsNaN(f.Diff) {
			row[6], row[7] = signed(f.Diff, 4), interval(f.DiffLow, f.DiffHigh, four)
			row[8] = map[bool]string{true: "yes", false: "NO"}[f.Agree]
		}
		g.rows = append(g.rows, row)
	}
	return g
}

const compareLegend = "DELTA is the change of the median from A to B; ~ marks a change that is not significant\n" +
	"(Mann–Whitney U test, p >= %g) or smaller than the %s threshold. Fits agree when the %s of the\n" +
	"difference of their serial fractions B contains 0."

// pValue renders a p-value with 3 decimals, "<0.001" below that.
func pValue(p float64) string {
	if !missing(p) && p < 0.001 {
		return "<0.001"
	}
	return num(p, 3)
}

// percent renders a fraction as a percentage in 3 significant digits.
func percent(f float64) string { return strconv.FormatFloat(f*100+0, 'g', 3, 64) + "%" }

func writeComparisonText(w io.Writer, c *Comparison, st textStyle) error {
	var b strings.Builder
	if st.bullet != "" {
		b.WriteString(fmt.Sprintf("## Run %d vs run %d\n\n", c.A.Run.ID, c.B.Run.ID))
	}
	b.WriteString(st.bullet + runLine("A", c.A) + "\n" + st.bullet + runLine("B", c.B) + "\n\n")
	if err := st.grid(cellCompareGrid(c), &b); err != nil {
		return err
	}
	b.WriteString("\n" + fmt.Sprintf(compareLegend, c.Options.Alpha, percent(c.Options.Threshold), ciHeader(c.A)) + "\n\n")
	if len(c.Fits) > 0 {
		if err := st.grid(fitCompareGrid(c), &b); err != nil {
			return err
		}
		b.WriteString("\n")
	}
	if len(c.Hosts)+len(c.Configs) == 0 {
		b.WriteString(st.bullet + "same experiment, machine and build: kernel, scaling, chunk, config; hostname, CPU model, usable CPUs, Go, exp version, VCS revision, kernel and governor all match\n")
	} else {
		g := grid{header: []string{"DIFFERS", "A", "B"}}
		for _, h := range append(slices.Clone(c.Configs), c.Hosts...) {
			g.rows = append(g.rows, []string{h.Field, orDash(h.A), orDash(h.B)})
		}
		if err := st.grid(g, &b); err != nil {
			return err
		}
	}
	for _, k := range c.OnlyA {
		b.WriteString(st.bullet + fmt.Sprintf("only in A (run %d): %s %s, %d workers\n", c.A.Run.ID, c.A.Label(k.Range), k.Schedule, k.Workers))
	}
	for _, k := range c.OnlyB {
		b.WriteString(st.bullet + fmt.Sprintf("only in B (run %d): %s %s, %d workers\n", c.B.Run.ID, c.B.Label(k.Range), k.Schedule, k.Workers))
	}
	for _, wr := range c.Warnings {
		b.WriteString(st.warning(wr.Error()))
	}
	b.WriteString("\n" + st.bullet + "verdict: " + c.Verdict.Line + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// compareCSVHeader is the header of exp compare --format csv: one row per
// cell (kind cell, with in = both, a or b) and one per fit (kind fit: the
// a_ and b_ columns hold each run's B and its interval, delta the
// difference, differs whether they disagree).
var compareCSVHeader = []string{"kind", "range_start", "range_count", "schedule", "workers", "in",
	"a_n", "a_median_s", "a_ci_low_s", "a_ci_high_s", "b_n", "b_median_s", "b_ci_low_s", "b_ci_high_s",
	"delta", "p", "differs", "warnings"}

func writeComparisonCSV(w io.Writer, c *Comparison) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	rows := [][]string{compareCSVHeader}
	side := func(n int, center, lo, hi float64) []string {
		if n == 0 {
			return []string{"0", "", "", ""}
		}
		return []string{strconv.Itoa(n), text(seconds(center)), text(seconds(lo)), text(seconds(hi))}
	}
	for _, d := range c.Cells {
		row := []string{"cell", text(d.Range.Start), text(d.Range.Count), string(d.Schedule), strconv.Itoa(d.Workers), "both"}
		row = append(row, side(d.NA, d.A.Center, d.A.Lo, d.A.Hi)...)
		row = append(row, side(d.NB, d.B.Center, d.B.Lo, d.B.Hi)...)
		rows = append(rows, append(row, text(d.Delta), text(d.P), strconv.FormatBool(d.Differs), joinWarnings(d.Warnings)))
	}
	only := func(ks []CellKey, in string) {
		for _, k := range ks {
			rows = append(rows, []string{"cell", text(k.Range.Start), text(k.Range.Count), string(k.Schedule), strconv.Itoa(k.Workers), in,
				"", "", "", "", "", "", "", "", "", "", "", "in one run only"})
		}
	}
	only(c.OnlyA, "a")
	only(c.OnlyB, "b")
	fitSide := func(f Fit) []string {
		if f.AmdahlErr != nil {
			return []string{"", "", "", ""}
		}
		return []string{strconv.Itoa(f.Amdahl.N), text(f.Amdahl.B), text(f.Amdahl.BLow), text(f.Amdahl.BHigh)}
	}
	for _, f := range c.Fits {
		row := []string{"fit", text(f.Range.Start), text(f.Range.Count), string(f.Schedule), "", "both"}
		row = append(append(row, fitSide(f.A)...), fitSide(f.B)...)
		rows = append(rows, append(row, text(f.Diff), "", strconv.FormatBool(!f.Agree), joinWarnings(f.Warnings)))
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

type cellDiffJSON struct {
	RangeStart uint64   `json:"range_start"`
	RangeCount uint64   `json:"range_count"`
	Schedule   string   `json:"schedule"`
	Workers    int      `json:"workers"`
	A          sideJSON `json:"a"`
	B          sideJSON `json:"b"`
	Delta      any      `json:"delta"`
	P          any      `json:"p"`
	Differs    bool     `json:"differs"`
	Warnings   []string `json:"warnings"`
}

type sideJSON struct {
	N       int `json:"n"`
	MedianS any `json:"median_s"`
	CILowS  any `json:"ci_low_s"`
	CIHighS any `json:"ci_high_s"`
}

type fitDiffJSON struct {
	RangeStart uint64   `json:"range_start"`
	RangeCount uint64   `json:"range_count"`
	Schedule   string   `json:"schedule"`
	A          any      `json:"a"` // {b, b_ci_low, b_ci_high, ...} as in exp report, or null
	B          any      `json:"b"`
	Diff       any      `json:"diff"`
	DiffLow    any      `json:"diff_ci_low"`
	DiffHigh   any      `json:"diff_ci_high"`
	Agree      bool     `json:"agree"`
	Warnings   []string `json:"warnings"`
}

type cellKeyJSON struct {
	RangeStart uint64 `json:"range_start"`
	RangeCount uint64 `json:"range_count"`
	Schedule   string `json:"schedule"`
	Workers    int    `json:"workers"`
}

func writeComparisonJSON(w io.Writer, c *Comparison) error {
	sideOf := func(n int, center, lo, hi float64) sideJSON {
		if n == 0 {
			return sideJSON{}
		}
		return sideJSON{n, jsonValue(seconds(center)), jsonValue(seconds(lo)), jsonValue(seconds(hi))}
	}
	cells := []cellDiffJSON{}
	for _, d := range c.Cells {
		cells = append(cells, cellDiffJSON{d.Range.Start, d.Range.Count, string(d.Schedule), d.Workers,
			sideOf(d.NA, d.A.Center, d.A.Lo, d.A.Hi), sideOf(d.NB, d.B.Center, d.B.Lo, d.B.Hi),
			jsonValue(d.Delta), jsonValue(d.P), d.Differs, messages(d.Warnings)})
	}
	keys := func(ks []CellKey) []cellKeyJSON {
		out := []cellKeyJSON{}
		for _, k := range ks {
			out = append(out, cellKeyJSON{k.Range.Start, k.Range.Count, string(k.Schedule), k.Workers})
		}
		return out
	}
	fits := []fitDiffJSON{}
	for _, f := range c.Fits {
		var a, b any
		if f.A.AmdahlErr == nil {
			a = newAmdahlJSON(f.A)
		}
		if f.B.AmdahlErr == nil {
			b = newAmdahlJSON(f.B)
		}
		fits = append(fits, fitDiffJSON{f.Range.Start, f.Range.Count, string(f.Schedule), a, b,
			jsonValue(f.Diff), jsonValue(f.DiffLow), jsonValue(f.DiffHigh), f.Agree, messages(f.Warnings)})
	}
	diffs := func(ds []HostDiff) []map[string]string {
		out := []map[string]string{}
		for _, h := range ds {
			out = append(out, map[string]string{"field": h.Field, "a": h.A, "b": h.B})
		}
		return out
	}
	doc := map[string]any{
		"a": NewRunJSON(c.A.Run), "b": NewRunJSON(c.B.Run),
		"confidence": c.Options.Thresholds.Confidence, "threshold": c.Options.Threshold, "alpha": c.Options.Alpha,
		"cells": cells, "only_a": keys(c.OnlyA), "only_b": keys(c.OnlyB), "geomean": jsonValue(c.Geomean),
		"fits": fits, "hosts": diffs(c.Hosts), "configs": diffs(c.Configs), "warnings": messages(c.Warnings),
		"verdict": map[string]any{"reproduced": c.Verdict.Reproduced, "line": c.Verdict.Line},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}
