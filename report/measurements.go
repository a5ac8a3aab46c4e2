package report

import (
	"fmt"
	"math"

	"github.com/exp-tool/exp/scaling"
)

// Kind says what the measurements of exp fit are.
type Kind string

// The kinds of measurement.
const (
	KindTime       Kind = "time"       // a duration: lower is better
	KindThroughput Kind = "throughput" // work per unit of time: higher is better
)

// Kinds lists the kinds exp fit accepts.
var Kinds = []Kind{KindTime, KindThroughput}

// Model selects the models exp fit fits.
type Model string

// The model selections of exp fit.
const (
	ModelBoth   Model = "both"   // Amdahl's law, Karp–Flatt, the USL and the choice between them
	ModelAmdahl Model = "amdahl" // Amdahl's law and Karp–Flatt
	ModelUSL    Model = "usl"    // the USL
)

// MinLoads is how many distinct loads a model selection needs: two for
// Amdahl's law, three for the USL (three parameters).
func (m Model) MinLoads() int {
	if m == ModelAmdahl {
		return 2
	}
	return 3
}

// ParseModel checks a --model value.
func ParseModel(s string) (Model, error) {
	for _, m := range []Model{ModelBoth, ModelAmdahl, ModelUSL} {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("--model must be one of both, amdahl, usl, got %q", s)
}

// Load is what the measurements at one processor count (or load) say.
type Load struct {
	P          float64 // processors or load
	N          int     // measurements at P
	Median     float64 // median measurement, in the input's unit
	Speedup    float64 // speedup against P = 1, NaN without a load of 1
	Low, High  float64 // speedup interval, NaN when unknown
	Amdahl     float64 // the Amdahl fit's prediction of the measurement; NaN without a fit
	USL        float64 // the USL fit's prediction of the measurement; NaN without a fit
	throughput float64 // median throughput (the inverse of a time)
}

// Measurements is the scaling analysis of measurements from elsewhere, as
// exp fit makes it: no database and no experiment, only (load, value)
// pairs.
type Measurements struct {
	File       string  // the CSV file, as given
	X, Y       string  // the load and measurement columns
	Kind       Kind    // what Y measures
	Model      Model   // which models were fitted
	Confidence float64 // level of every interval
	Rows       int     // measurements read
	Loads      []Load  // one per distinct load, ascending
	// Amdahl is Amdahl's law fitted to the median times (for throughput,
	// their inverses), weighted by their standard errors when every load
	// has 2 or more measurements.
	Amdahl    scaling.AmdahlFit
	AmdahlErr error
	KarpFlatt scaling.KarpFlattTrend // the trend of e over the loads above 1
	USL       scaling.USLFit         // the USL fitted to the median throughputs
	USLErr    error
	Choice    scaling.Choice // Amdahl's law or the USL, by the F-test of κ = 0
	ChoiceErr error
}

// AnalyzeMeasurements fits Amdahl's law, the Karp–Flatt trend and the USL to
// the pairs (x[i], y[i]) at level conf. y must be positive (see
// scaling.ReadCSV); a time is turned into a throughput, and the reverse, by
// taking its inverse row by row.
func AnalyzeMeasurements(file, xCol, yCol string, kind Kind, model Model, x, y []float64, conf float64) *Measurements {
	m := &Measurements{File: file, X: xCol, Y: yCol, Kind: kind, Model: model, Confidence: conf, Rows: len(x)}
	skipped := fmt.Errorf("not fitted (--model %s)", model)
	times, rates := make([]float64, len(y)), make([]float64, len(y))
	for i, v := range y {
		times[i], rates[i] = v, 1/v
		if kind == KindThroughput {
			times[i], rates[i] = 1/v, v
		}
	}
	timePts, ratePts := scaling.Aggregate(x, times), scaling.Aggregate(x, rates)
	groups := map[float64][]float64{}
	for i := range x {
		groups[x[i]] = append(groups[x[i]], times[i])
	}
	nan := math.NaN()
	var speedups []scaling.SpeedupPoint
	for i, pt := range timePts {
		l := Load{P: pt.P, N: pt.N, Speedup: nan, Low: nan, High: nan, Amdahl: nan, USL: nan, throughput: ratePts[i].Y}
		l.Median = pt.Y
		if kind == KindThroughput {
			l.Median = ratePts[i].Y
		}
		if base, ok := groups[1]; ok {
			l.Speedup = median(base) / pt.Y
			se := 0.0
			if len(base) >= 2 && pt.N >= 2 {
				th := Thresholds{Confidence: conf}
				l.Low, l.High = ratioCI(l.Speedup, base, groups[pt.P], th)
				se = l.Speedup * logRatioSE(base, groups[pt.P], th)
			}
			if pt.P == 1 {
				l.Low, l.High = 1, 1
			}
			speedups = append(speedups, scaling.SpeedupPoint{P: pt.P, S: l.Speedup, Low: l.Low, High: l.High, Confidence: conf, SE: se})
		}
		m.Loads = append(m.Loads, l)
	}
	m.AmdahlErr, m.USLErr, m.ChoiceErr = skipped, skipped, skipped
	m.KarpFlatt = scaling.KarpFlattTrend{Verdict: "untestable", Reason: skipped.Error(), Slope: nan, SlopeLow: nan, SlopeHigh: nan}
	if model != ModelUSL {
		m.Amdahl, m.AmdahlErr = scaling.FitAmdahl(timePts, conf)
		m.KarpFlatt = scaling.KarpFlattAnalysis(speedups, conf)
		if speedups == nil {
			m.KarpFlatt.Reason = "no load of 1 to take speedups against"
		}
	}
	if model != ModelAmdahl {
		m.USL, m.USLErr = scaling.FitUSL(ratePts, conf)
	}
	if model == ModelBoth {
		m.Choice, m.ChoiceErr = scaling.Choose(ratePts, alpha(conf))
	}
	for i := range m.Loads {
		l := &m.Loads[i]
		// A prediction is positive and finite or nothing: with B < 0 the
		// fitted time turns negative past p = 1 - 1/B.
		if t := m.Amdahl.Time(l.P); m.AmdahlErr == nil && t > 0 && !math.IsInf(t, 0) {
			l.Amdahl = t
			if kind == KindThroughput {
				l.Amdahl = 1 / t
			}
		}
		if m.USLErr == nil {
			l.USL = m.USL.Throughput(l.P)
			if kind == KindTime {
				l.USL = 1 / l.USL
			}
		}
	}
	return m
}

// String names the kind.
func (k Kind) String() string { return string(k) }

// ParseKind checks a --kind value.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("--kind must be time or throughput, got %q", s)
}
