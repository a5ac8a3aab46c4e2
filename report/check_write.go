package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// CheckFormats are the formats of exp check.
var CheckFormats = []Format{FormatTable, FormatJSON}

// WriteCheck renders the verdicts of exp check on rep in format f: a
// table (EXPECTATION, GROUP, VALUE, CI, VERDICT, NOTE) and an outcome
// line, or one JSON document (docs/check.md lists its keys).
func WriteCheck(w io.Writer, f Format, rep *Report, vs []CheckVerdict) error {
	switch f {
	case FormatTable:
		return writeCheckTable(w, rep, vs)
	case FormatJSON:
		return writeCheckJSON(w, rep, vs)
	}
	return fmt.Errorf("unknown format %q", f)
}

func writeCheckTable(w io.Writer, rep *Report, vs []CheckVerdict) error {
	g := grid{header: []string{"EXPECTATION", "GROUP", "VALUE", ciHeader(rep), "VERDICT", "NOTE"}}
	four := func(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
	for _, v := range vs {
		val := "-"
		if !missing(v.Value) {
			val = four(v.Value)
		}
		g.rows = append(g.rows, []string{v.Expectation.Text, orDash(v.Group), val, interval(v.Low, v.High, four), string(v.Outcome), orDash(v.Note)})
	}
	if err := g.writeAligned(w); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nrun %d: %s\n", rep.Run.ID, Worst(vs))
	return err
}

type checkVerdictJSON struct {
	Expectation  string  `json:"expectation"`
	Quantity     string  `json:"quantity"`
	Workers      any     `json:"workers"`
	Op           string  `json:"op"`
	Threshold    float64 `json:"threshold"`
	RangeIndex   any     `json:"range_index"`
	RangeStart   any     `json:"range_start"`
	RangeCount   any     `json:"range_count"`
	Schedule     any     `json:"schedule"`
	Group        any     `json:"group"`
	Value        any     `json:"value"`
	CILow        any     `json:"ci_low"`
	CIHigh       any     `json:"ci_high"`
	N            int     `json:"n"`
	CheckVerdict string  `json:"verdict"`
	Note         string  `json:"note"`
	Repeats      any     `json:"repeats"`
}

func writeCheckJSON(w io.Writer, rep *Report, vs []CheckVerdict) error {
	out := make([]checkVerdictJSON, len(vs))
	orNull := func(ok bool, v any) any {
		if !ok {
			return nil
		}
		return v
	}
	for i, v := range vs {
		e, grouped := v.Expectation, v.RangeIndex >= 0
		out[i] = checkVerdictJSON{Expectation: e.Text, Quantity: string(e.Quantity), Workers: orNull(e.Workers > 0, e.Workers),
			Op: string(e.Op), Threshold: e.Threshold,
			RangeIndex: orNull(grouped, v.RangeIndex), RangeStart: orNull(grouped, v.Range.Start), RangeCount: orNull(grouped, v.Range.Count),
			Schedule: orNull(grouped, string(v.Schedule)), Group: orNull(grouped, v.Group),
			Value: jsonValue(v.Value), CILow: jsonValue(v.Low), CIHigh: jsonValue(v.High), N: v.N,
			CheckVerdict: string(v.Outcome), Note: v.Note, Repeats: orNull(v.Repeats > 0, v.Repeats)}
	}
	doc := struct {
		Run        RunJSON            `json:"run"`
		Confidence float64            `json:"confidence"`
		Outcome    string             `json:"outcome"`
		Verdicts   []checkVerdictJSON `json:"verdicts"`
	}{NewRunJSON(rep.Run), rep.Thresholds.Confidence, string(Worst(vs)), out}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}
