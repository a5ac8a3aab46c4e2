package report

// diagnosticsJSON is the "diagnostics" object of a cell; the tests are
// null when Skipped.
type diagnosticsJSON struct {
	N          int             `json:"n"`
	Alpha      float64         `json:"alpha"`
	Skipped    *string         `json:"skipped"` // why no test ran; null when they did
	Drift      *trendJSON      `json:"drift"`
	Warmup     *warmupJSON     `json:"warmup"`
	Dependence *dependenceJSON `json:"dependence"`
	Shape      *shapeJSON      `json:"shape"`
	// Detrended is whether dependence and shape saw the trials less their
	// trend (the cell's drift fired); null when Skipped.
	Detrended *bool `json:"detrended"`
}

type trendJSON struct {
	N      int     `json:"n"`
	Rho    any     `json:"rho"`
	P      any     `json:"p"`
	Change float64 `json:"change"`
	Fired  bool    `json:"fired"`
}

type warmupJSON struct {
	Tested    int  `json:"tested"`
	P         any  `json:"p"`
	Suggested int  `json:"suggested"`
	Slowdown  any  `json:"slowdown"`
	Fired     bool `json:"fired"`
}

type dependenceJSON struct {
	R1    any  `json:"r1"`
	P     any  `json:"p"`
	Fired bool `json:"fired"`
}

type shapeJSON struct {
	Bimodality      any  `json:"bimodality"`
	BimodalityLimit any  `json:"bimodality_limit"`
	LowGroup        int  `json:"low_group"`
	Bimodal         bool `json:"bimodal"`
	Skewness        any  `json:"skewness"`
	SkewnessSE      any  `json:"skewness_se"`
	Skewed          bool `json:"skewed"`
}

// runDriftJSON is the top-level "drift" object.
type runDriftJSON struct {
	Alpha   float64 `json:"alpha"`
	Skipped *string `json:"skipped"`
	trendJSON
}

func newDiagnosticsJSON(d Diagnostics) diagnosticsJSON {
	j := diagnosticsJSON{N: d.N, Alpha: d.Alpha}
	if d.Skipped != "" {
		j.Skipped = &d.Skipped
		return j
	}
	t, w, dep, s := d.Drift, d.Warmup, d.Dependence, d.Shape
	j.Drift = &trendJSON{t.N, jsonValue(t.Rho), jsonValue(t.P), t.Change, t.Fired}
	j.Warmup = &warmupJSON{w.K, jsonValue(w.P), w.Suggested, jsonValue(w.Slowdown), w.Fired}
	j.Dependence = &dependenceJSON{jsonValue(dep.R1), jsonValue(dep.P), dep.Fired}
	j.Detrended = &d.Detrended
	j.Shape = &shapeJSON{jsonValue(s.Bimodality), jsonValue(s.BimodalityLimit), s.LowGroup, s.Bimodal,
		jsonValue(s.Skewness), jsonValue(s.SkewnessSE), s.Skewed}
	return j
}

func newRunDriftJSON(d RunDrift) runDriftJSON {
	j := runDriftJSON{Alpha: d.Alpha, trendJSON: trendJSON{d.N, jsonValue(d.Rho), jsonValue(d.P), d.Change, d.Fired}}
	if d.Skipped != "" {
		j.Skipped = &d.Skipped
		j.Rho, j.P = nil, nil
	}
	return j
}
