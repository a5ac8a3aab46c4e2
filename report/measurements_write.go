package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// FitFormats lists the formats exp fit accepts.
var FitFormats = []Format{FormatTable, FormatCSV, FormatJSON}

// WriteMeasurements renders the analysis of exp fit: a table for people,
// CSV with one row per estimated parameter, or one JSON document
// {"input", "confidence", "loads", "amdahl", "karp_flatt", "usl", "choice"}.
func WriteMeasurements(w io.Writer, f Format, m *Measurements) error {
	switch f {
	case FormatTable:
		return writeMeasurementsTable(w, m)
	case FormatCSV:
		return writeMeasurementsCSV(w, m)
	case FormatJSON:
		return writeMeasurementsJSON(w, m)
	}
	return fmt.Errorf("unknown format %q", f)
}

func writeMeasurementsTable(w io.Writer, m *Measurements) error {
	var b strings.Builder
	pct := strconv.FormatFloat(m.Confidence*100, 'f', -1, 64) + "%"
	fmt.Fprintf(&b, "%s: %s over %s, %s, %d rows at %d loads; %s intervals\n\n", m.File, m.Y, m.X, m.Kind, m.Rows, len(m.Loads), pct)
	g := grid{header: []string{strings.ToUpper(m.X), "N", "MEDIAN " + strings.ToUpper(m.Y), "SPEEDUP", pct + " CI", "AMDAHL", "USL"}}
	for _, l := range m.Loads {
		g.rows = append(g.rows, []string{sig(l.P), strconv.Itoa(l.N), sig(l.Median), num(l.Speedup, 2),
			interval(l.Low, l.High, func(v float64) string { return num(v, 2) }), sig(l.Amdahl), sig(l.USL)})
	}
	if err := g.writeAligned(&b); err != nil {
		return err
	}
	b.WriteString("\n")
	four := func(v float64) string { return num(v, 4) }
	if m.AmdahlErr != nil {
		b.WriteString("Amdahl: no fit: " + m.AmdahlErr.Error() + "\n")
	} else {
		a := m.Amdahl
		fmt.Fprintf(&b, "Amdahl: S(p) = 1/(B + (1-B)/p): B = %s %s, ceiling 1/B = %s %s; R2 %s\n", four(a.B), interval(a.BLow, a.BHigh, four),
			num(a.MaxSpeedup(), 1), ceiling(a.CeilingLow, a.CeilingHigh), num(a.R2, 3))
		b.WriteString(strings.Join(warningLines(a.Warnings), "\n") + nl(len(a.Warnings)))
	}
	kf := m.KarpFlatt
	fmt.Fprintf(&b, "Karp–Flatt: %s: %s\n", kf.Verdict, kf.Reason)
	b.WriteString(strings.Join(warningLines(kf.Warnings), "\n") + nl(len(kf.Warnings)))
	if m.USLErr != nil {
		b.WriteString("USL: no fit: " + m.USLErr.Error() + "\n")
	} else {
		u := m.USL
		fmt.Fprintf(&b, "USL: X(N) = λN/(1 + σ(N-1) + κN(N-1)): σ = %s %s, κ = %s %s, λ = %s %s; R2 %s", four(u.Sigma),
			interval(u.SigmaLow, u.SigmaHigh, four), sci(u.Kappa), interval(u.KappaLow, u.KappaHigh, sci), sig(u.Lambda),
			interval(u.LambdaLow, u.LambdaHigh, sig), num(u.R2, 4))
		b.WriteString("; " + peakText(u, "") + "\n")
		b.WriteString(strings.Join(warningLines(u.Warnings), "\n") + nl(len(u.Warnings)))
	}
	switch {
	case m.ChoiceErr != nil:
		b.WriteString("Model: no choice: " + m.ChoiceErr.Error() + "\n")
	case m.Choice.Model == "":
		b.WriteString("Model: untestable: " + m.Choice.Reason + "\n")
	default:
		fmt.Fprintf(&b, "Model: %s: %s\n", m.Choice.Model, m.Choice.Reason)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func nl(n int) string {
	if n == 0 {
		return ""
	}
	return "\n"
}

// measurementsRows are exp fit's CSV rows: model, parameter, estimate and
// interval, and a note.
func measurementsRows(m *Measurements) [][]string {
	f := func(v float64) string { return text(v) }
	var rows [][]string
	add := func(model, param string, est, lo, hi float64, note string) {
		rows = append(rows, []string{model, param, f(est), f(lo), f(hi), note})
	}
	if m.AmdahlErr != nil {
		add("amdahl", "b", math.NaN(), math.NaN(), math.NaN(), m.AmdahlErr.Error())
	} else {
		a := m.Amdahl
		note := joinWarnings(a.Warnings)
		add("amdahl", "b", a.B, a.BLow, a.BHigh, note)
		add("amdahl", "max_speedup", a.MaxSpeedup(), a.CeilingLow, a.CeilingHigh, "")
		add("amdahl", "t1", a.T1, math.NaN(), math.NaN(), "")
		add("amdahl", "r2", a.R2, math.NaN(), math.NaN(), "")
	}
	kf := m.KarpFlatt
	add("karp_flatt", "slope", kf.Slope, kf.SlopeLow, kf.SlopeHigh, kf.Verdict+": "+kf.Reason)
	if m.USLErr != nil {
		add("usl", "sigma", math.NaN(), math.NaN(), math.NaN(), m.USLErr.Error())
	} else {
		u := m.USL
		add("usl", "sigma", u.Sigma, u.SigmaLow, u.SigmaHigh, joinWarnings(u.Warnings))
		add("usl", "kappa", u.Kappa, u.KappaLow, u.KappaHigh, "")
		add("usl", "lambda", u.Lambda, u.LambdaLow, u.LambdaHigh, "")
		n, _, _ := peak(u)
		add("usl", "peak", n, math.NaN(), math.NaN(), "")
		add("usl", "r2", u.R2, math.NaN(), math.NaN(), "")
	}
	switch {
	case m.ChoiceErr != nil:
		add("choice", "", math.NaN(), math.NaN(), math.NaN(), m.ChoiceErr.Error())
	default:
		rows = append(rows, []string{"choice", m.Choice.Model, f(m.Choice.P), "", "", m.Choice.Reason})
	}
	return rows
}

func writeMeasurementsCSV(w io.Writer, m *Measurements) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write([]string{"model", "parameter", "estimate", "ci_low", "ci_high", "note"}); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	if err := cw.WriteAll(measurementsRows(m)); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

type loadJSON struct {
	P           float64 `json:"load"`
	N           int     `json:"n"`
	Median      float64 `json:"median"`
	Speedup     any     `json:"speedup"`
	SpeedupLow  any     `json:"speedup_ci_low"`
	SpeedupHigh any     `json:"speedup_ci_high"`
	Amdahl      any     `json:"amdahl"`
	USL         any     `json:"usl"`
}

func writeMeasurementsJSON(w io.Writer, m *Measurements) error {
	loads := make([]loadJSON, len(m.Loads))
	for i, l := range m.Loads {
		loads[i] = loadJSON{l.P, l.N, l.Median, jsonValue(l.Speedup), jsonValue(l.Low), jsonValue(l.High), jsonValue(l.Amdahl), jsonValue(l.USL)}
	}
	amdahl := newAmdahlJSON(Fit{Amdahl: m.Amdahl, AmdahlErr: m.AmdahlErr})
	doc := struct {
		Input struct {
			File string `json:"file"`
			X    string `json:"x"`
			Y    string `json:"y"`
			Kind Kind   `json:"kind"`
			Rows int    `json:"rows"`
		} `json:"input"`
		Confidence float64       `json:"confidence"`
		Loads      []loadJSON    `json:"loads"`
		Amdahl     amdahlJSON    `json:"amdahl"`
		KarpFlatt  karpFlattJSON `json:"karp_flatt"`
		USL        uslJSON       `json:"usl"`
		Choice     choiceJSON    `json:"choice"`
	}{Confidence: m.Confidence, Loads: loads, Amdahl: amdahl, KarpFlatt: newKarpFlattJSON(m.KarpFlatt),
		USL: newUSLJSON(m.USL, m.USLErr), Choice: newChoiceJSON(m.Choice, m.ChoiceErr)}
	doc.Input.File, doc.Input.X, doc.Input.Y, doc.Input.Kind, doc.Input.Rows = m.File, m.X, m.Y, m.Kind, m.Rows
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}
