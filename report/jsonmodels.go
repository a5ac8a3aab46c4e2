package report

import "github.com/exp-tool/exp/scaling"

// karpFlattJSON is the Karp–Flatt trend of a fit in JSON.
type karpFlattJSON struct {
	Verdict   string               `json:"verdict"` // flat, rising, falling or untestable
	Slope     any                  `json:"slope"`   // de/dp per processor
	SlopeLow  any                  `json:"slope_ci_low"`
	SlopeHigh any                  `json:"slope_ci_high"`
	Reason    string               `json:"reason"`
	Points    []karpFlattPointJSON `json:"points"`
	Warnings  []string             `json:"warnings"`
}

type karpFlattPointJSON struct {
	P    float64 `json:"processors"`
	E    any     `json:"e"`
	Low  any     `json:"e_ci_low"`
	High any     `json:"e_ci_high"`
}

func newKarpFlattJSON(t scaling.KarpFlattTrend) karpFlattJSON {
	j := karpFlattJSON{Verdict: t.Verdict, Slope: jsonValue(t.Slope), SlopeLow: jsonValue(t.SlopeLow), SlopeHigh: jsonValue(t.SlopeHigh),
		Reason: t.Reason, Points: []karpFlattPointJSON{}, Warnings: messages(t.Warnings)}
	for _, p := range t.Points {
		j.Points = append(j.Points, karpFlattPointJSON{p.P, jsonValue(p.E), jsonValue(p.Low), jsonValue(p.High)})
	}
	return j
}

// uslJSON is the USL fit of a group in JSON; numbers are null without a fit.
type uslJSON struct {
	Sigma      any      `json:"sigma"`
	SigmaLow   any      `json:"sigma_ci_low"`
	SigmaHigh  any      `json:"sigma_ci_high"`
	Kappa      any      `json:"kappa"`
	KappaLow   any      `json:"kappa_ci_low"`
	KappaHigh  any      `json:"kappa_ci_high"`
	Lambda     any      `json:"lambda"` // throughput of one processor, numbers per second
	LambdaLow  any      `json:"lambda_ci_low"`
	LambdaHigh any      `json:"lambda_ci_high"`
	Peak       any      `json:"peak"`            // N* = sqrt((1-σ)/κ); null unless κ's interval lies above 0
	PeakX      any      `json:"peak_throughput"` // X(N*), numbers per second
	R2         any      `json:"r2"`
	N          any      `json:"n"`
	DoF        any      `json:"dof"`
	Error      any      `json:"error"` // why there is no fit, or null
	Warnings   []string `json:"warnings"`
}

func newUSLJSON(u scaling.USLFit, err error) uslJSON {
	if err != nil {
		return uslJSON{Error: err.Error(), Warnings: []string{}}
	}
	n, x, _ := peak(u)
	return uslJSON{Sigma: jsonValue(u.Sigma), SigmaLow: jsonValue(u.SigmaLow), SigmaHigh: jsonValue(u.SigmaHigh),
		Kappa: jsonValue(u.Kappa), KappaLow: jsonValue(u.KappaLow), KappaHigh: jsonValue(u.KappaHigh),
		Lambda: jsonValue(u.Lambda), LambdaLow: jsonValue(u.LambdaLow), LambdaHigh: jsonValue(u.LambdaHigh),
		Peak: jsonValue(n), PeakX: jsonValue(x), R2: jsonValue(u.R2), N: u.N, DoF: u.DoF, Warnings: messages(u.Warnings)}
}

// choiceJSON is the choice between Amdahl's law and the USL in JSON.
type choiceJSON struct {
	Model     any    `json:"model"` // "amdahl", "usl", or null when untestable
	Reason    string `json:"reason"`
	F         any    `json:"f"`
	P         any    `json:"p"`
	AICAmdahl any    `json:"aic_amdahl"`
	AICUSL    any    `json:"aic_usl"`
}

func newChoiceJSON(c scaling.Choice, err error) choiceJSON {
	if err != nil {
		return choiceJSON{Reason: err.Error()}
	}
	j := choiceJSON{Reason: c.Reason, F: jsonValue(c.F), P: jsonValue(c.P), AICAmdahl: jsonValue(c.AICAmdahl), AICUSL: jsonValue(c.AICUSL)}
	if c.Model != "" {
		j.Model = c.Model
	}
	return j
}

// gustafsonJSON is Gustafson's law fitted to a weak-scaling group in JSON.
type gustafsonJSON struct {
	Alpha     any      `json:"alpha"`
	AlphaLow  any      `json:"alpha_ci_low"`
	AlphaHigh any      `json:"alpha_ci_high"`
	R2        any      `json:"r2"`
	N         any      `json:"n"`
	Error     any      `json:"error"`
	Warnings  []string `json:"warnings"`
}

func newGustafsonJSON(g scaling.GustafsonFit, err error) gustafsonJSON {
	if err != nil {
		return gustafsonJSON{Error: err.Error(), Warnings: []string{}}
	}
	return gustafsonJSON{Alpha: jsonValue(g.Alpha), AlphaLow: jsonValue(g.AlphaLow), AlphaHigh: jsonValue(g.AlphaHigh),
		R2: jsonValue(g.R2), N: g.N, Warnings: messages(g.Warnings)}
}
