package report

import (
	"fmt"
	"math"

	"github.com/exp-tool/exp/scaling"
)

// models fits the models beyond Amdahl's law to the cells members of f (the
// cells in its fit, in plan order): under strong scaling the Karp–Flatt
// trend, the USL on throughput and the choice between Amdahl's law and the
// USL; under weak scaling Gustafson's law.
func (rep *Report) models(f *Fit, members []int) {
	conf := rep.Thresholds.Confidence
	var speedups []scaling.SpeedupPoint
	var throughput []scaling.Point
	for _, j := range members {
		c := rep.Cells[j]
		if !math.IsNaN(c.Speedup) {
			speedups = append(speedups, scaling.SpeedupPoint{P: float64(c.Processors), S: c.Speedup, Low: c.SpeedupLow, High: c.SpeedupHigh,
				Confidence: conf, SE: c.speedupSE})
		}
		// Throughput in numbers (or work units) per second, with the
		// median's relative error.
		x := float64(c.Range.Count) / c.Median
		throughput = append(throughput, scaling.Point{P: float64(c.Processors), Y: x, SE: x * c.medianSE / c.Median, N: c.N})
	}
	if weak(rep.Run) {
		f.Gustafson, f.GustafsonErr = scaling.FitGustafson(speedups, conf)
		if f.GustafsonErr == nil {
			for _, j := range f.cells {
				rep.Cells[j].GustafsonSpeedup = f.Gustafson.ScaledSpeedup(float64(rep.Cells[j].Processors))
			}
		}
		return
	}
	f.KarpFlatt = scaling.KarpFlattAnalysis(speedups, conf)
	f.USL, f.USLErr = scaling.FitUSL(throughput, conf)
	f.Choice, f.ChoiceErr = scaling.Choose(throughput, alpha(conf))
}

// ModelLines describes the models of f, a fit of r, in a few lines of text:
// the Karp–Flatt trend, the USL and the choice between Amdahl's law and the
// USL (strong scaling), or Gustafson's law (weak scaling), as exp report's
// table prints them under "Models per range and schedule". A model's
// warnings are lines of their own that start with "  warning: ".
func ModelLines(r *Report, f Fit) []string {
	pct := fmt.Sprintf("%g%%", r.Thresholds.Confidence*100)
	if weak(r.Run) {
		if f.GustafsonErr != nil {
			return []string{"Gustafson: no fit: " + f.GustafsonErr.Error()}
		}
		g := f.Gustafson
		return []string{fmt.Sprintf("Gustafson: serial fraction α = %s, %s CI %s: on p processors the scaled speedup is p - α(p-1), %s at p = %d",
			num(g.Alpha, 4), pct, interval(g.AlphaLow, g.AlphaHigh, func(v float64) string { return num(v, 4) }),
			num(g.ScaledSpeedup(float64(r.UsableCPUs)), 2), r.UsableCPUs)}
	}
	var lines []string
	kf := f.KarpFlatt
	if len(f.Processors) < 3 {
		// One sentence for all three: none can be tested on two counts.
		line := fmt.Sprintf("Karp–Flatt trend, USL and model choice: untestable with %d processor counts (each needs 3)", len(f.Processors))
		if len(kf.Points) == 1 {
			pt := kf.Points[0]
			line += fmt.Sprintf("; e(%g) = %s is the fitted B itself, not an independent number", pt.P, sig(pt.E))
		}
		return append([]string{line}, warningLines(kf.Warnings)...)
	}
	lines = append(lines, fmt.Sprintf("Karp–Flatt: %s: %s", kf.Verdict, kf.Reason))
	lines = append(lines, warningLines(kf.Warnings)...)
	if f.USLErr != nil {
		lines = append(lines, "USL: no fit: "+f.USLErr.Error())
	} else {
		u := f.USL
		four := func(v float64) string { return num(v, 4) }
		line := fmt.Sprintf("USL: X(N) = λN/(1 + σ(N-1) + κN(N-1)): σ = %s %s, κ = %s %s, λ = %s/s %s; R2 %s",
			four(u.Sigma), interval(u.SigmaLow, u.SigmaHigh, four), sci(u.Kappa), interval(u.KappaLow, u.KappaHigh, sci),
			sig(u.Lambda), interval(u.LambdaLow, u.LambdaHigh, sig), num(u.R2, 3))
		line += "; " + peakText(u, "/s")
		lines = append(lines, line)
		lines = append(lines, warningLines(u.Warnings)...)
	}
	switch {
	case f.ChoiceErr != nil:
		lines = append(lines, "Model: no choice: "+f.ChoiceErr.Error())
	case f.Choice.Model == "":
		lines = append(lines, "Model: untestable: "+f.Choice.Reason)
	default:
		lines = append(lines, fmt.Sprintf("Model: %s: %s", f.Choice.Model, f.Choice.Reason))
	}
	return lines
}

func warningLines(ws []error) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = "  warning: " + w.Error()
	}
	return out
}

// sci renders a small positive number in 3 significant digits.
func sci(v float64) string {
	if missing(v) {
		return "-"
	}
	if v == 0 {
		return "0"
	}
	return fmt.Sprintf("%.3g", v)
}

// sig renders a number in 4 significant digits.
func sig(v float64) string {
	if missing(v) {
		return "-"
	}
	return fmt.Sprintf("%.4g", v)
}

// alpha is the significance level that goes with confidence level conf,
// 1 - conf, rounded so that 0.95 gives 0.05 and not 0.050000000000000044.
func alpha(conf float64) float64 { return math.Round((1-conf)*1e12) / 1e12 }

// peak is the USL's peak when the data support one: κ's interval lies
// above 0. A positive κ whose interval reaches 0 could be noise, and its
// peak (often far beyond the data) is not reported.
func peak(u scaling.USLFit) (n, x float64, ok bool) {
	if n, x, ok := u.Peak(); ok && u.KappaLow > 0 {
		return n, x, true
	}
	return math.NaN(), math.NaN(), false
}

// peakText says where the throughput peaks, or why no peak is given.
func peakText(u scaling.USLFit, unit string) string {
	if n, x, ok := peak(u); ok {
		return fmt.Sprintf("peak N* = %.1f at %s%s", n, sig(x), unit)
	}
	if u.Kappa > 0 {
		return "no peak supported (κ's interval includes 0)"
	}
	return "no peak (κ = 0: throughput keeps rising)"
}
