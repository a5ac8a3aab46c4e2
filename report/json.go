package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/host"
)

// RunJSON is the JSON form of a run, used by report and by exp runs.
type RunJSON struct {
	ID           int64     `json:"id"`
	UUID         string    `json:"uuid"`
	Reproduces   *string   `json:"reproduces"` // UUID of the run this one reproduces; null if none
	Name         string    `json:"name"`
	Status       string    `json:"status"`
	StartedAt    string    `json:"started_at"`
	FinishedAt   *string   `json:"finished_at"`
	HeartbeatAt  *string   `json:"heartbeat_at"` // last heartbeat of the exp executing the run; null if none recorded
	Trials       int       `json:"trials"`
	Seed         int64     `json:"seed"`
	Kernel       string    `json:"kernel"`
	Scaling      string    `json:"scaling"`   // strong or weak
	CPUBound     bool      `json:"cpu_bound"` // whether the kernel keeps a CPU busy per worker
	Repeats      int       `json:"repeats"`
	Warmup       int       `json:"warmup"`
	Chunk        int       `json:"chunk"`
	ConfigPath   string    `json:"config_path"`
	ConfigSHA256 string    `json:"config_sha256"`
	Error        string    `json:"error,omitempty"`
	Host         host.Host `json:"host"`
}

// NewRunJSON converts a run for JSON output.
func NewRunJSON(r experiment.Run) RunJSON {
	j := RunJSON{ID: r.ID, UUID: r.UUID, Name: r.Name, Status: string(r.Status), StartedAt: r.StartedAt.Format(time.RFC3339Nano),
		Trials: r.Trials, Seed: r.Seed, Kernel: r.Kernel, Scaling: r.Scaling, CPUBound: r.CPUBound, Repeats: r.Repeats, Warmup: r.Warmup, Chunk: r.Chunk,
		ConfigPath: r.ConfigPath, ConfigSHA256: r.ConfigSHA256, Error: r.Error, Host: r.Host}
	if !r.FinishedAt.IsZero() {
		s := r.FinishedAt.Format(time.RFC3339Nano)
		j.FinishedAt = &s
	}
	if !r.HeartbeatAt.IsZero() {
		s := r.HeartbeatAt.Format(time.RFC3339Nano)
		j.HeartbeatAt = &s
	}
	if r.Reproduces != "" {
		j.Reproduces = &r.Reproduces
	}
	return j
}

// cellJSON renders a cell as an object whose keys follow the CSV columns,
// in the same order, then "diagnostics" (JSON only).
type cellJSON struct{ c *CellStats }

// MarshalJSON implements json.Marshaler.
func (cj cellJSON) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, col := range cellColumns {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(col.name)
		if err != nil {
			return nil, fmt.Errorf("cell key %s: %w", col.name, err)
		}
		v, err := json.Marshal(jsonValue(col.value(cj.c)))
		if err != nil {
			return nil, fmt.Errorf("cell %s: %w", col.name, err)
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	d, err := json.Marshal(newDiagnosticsJSON(cj.c.Diagnostics))
	if err != nil {
		return nil, fmt.Errorf("cell diagnostics: %w", err)
	}
	b.WriteString(`,"diagnostics":`)
	b.Write(d)
	b.WriteByte('}')
	return b.Bytes(), nil
}

type fitPointJSON struct {
	Workers          int  `json:"workers"`
	Processors       int  `json:"processors"`
	InFit            bool `json:"in_fit"`
	MeasuredSpeedup  any  `json:"measured_speedup"`
	PredictedSpeedup any  `json:"predicted_speedup"`
	Residual         any  `json:"residual"` // (median - T(p)) / SE in the Amdahl fit; null when not in it
}

// amdahlJSON are the Amdahl keys of a fit; every number is null without a
// fit. ceiling_ci_high is also null when B's lower bound is <= 0 (no upper
// bound to the ceiling).
type amdahlJSON struct {
	B            any `json:"b"`
	BCILow       any `json:"b_ci_low"`
	BCIHigh      any `json:"b_ci_high"`
	T1           any `json:"t1_s"`
	MaxSpeedup   any `json:"max_speedup"`
	CeilingLow   any `json:"max_speedup_ci_low"`
	CeilingHigh  any `json:"max_speedup_ci_high"`
	SerialS      any `json:"serial_s"`
	ParallelS    any `json:"parallel_s"`
	R2           any `json:"r2"`
	ChiSq        any `json:"chi2"`
	ChiSqP       any `json:"chi2_p"`
	Quantile     any `json:"quantile"`
	QuantileDoF  any `json:"quantile_dof"`
	N            any `json:"n"`   // cells fitted
	DoF          any `json:"dof"` // residual degrees of freedom
	AmdahlFitErr any `json:"amdahl_error"`
}

type fitJSON struct {
	RangeIndex int     `json:"range_index"`
	RangeStart uint64  `json:"range_start"`
	RangeCount uint64  `json:"range_count"`
	Schedule   string  `json:"schedule"`
	Confidence float64 `json:"confidence"`
	amdahlJSON
	Processors []int          `json:"processors"`
	Points     []fitPointJSON `json:"points"`
	Warnings   []string       `json:"warnings"`
	// Strong scaling: the Karp–Flatt trend, the USL and the model choice;
	// weak scaling: Gustafson's law. The others are null.
	KarpFlatt *karpFlattJSON `json:"karp_flatt"`
	USL       *uslJSON       `json:"usl"`
	Choice    *choiceJSON    `json:"choice"`
	Gustafson *gustafsonJSON `json:"gustafson"`
}

func newAmdahlJSON(f Fit) amdahlJSON {
	if f.AmdahlErr != nil {
		return amdahlJSON{AmdahlFitErr: f.AmdahlErr.Error()}
	}
	m := f.Amdahl
	return amdahlJSON{B: jsonValue(m.B), BCILow: jsonValue(m.BLow), BCIHigh: jsonValue(m.BHigh), T1: jsonValue(m.T1),
		MaxSpeedup: jsonValue(m.MaxSpeedup()), CeilingLow: jsonValue(m.CeilingLow), CeilingHigh: jsonValue(m.CeilingHigh),
		SerialS: jsonValue(m.Serial), ParallelS: jsonValue(m.Parallel), R2: jsonValue(m.R2),
		ChiSq: jsonValue(m.ChiSq), ChiSqP: jsonValue(m.ChiSqP), Quantile: jsonValue(m.Quantile), QuantileDoF: m.QuantileDoF,
		N: m.N, DoF: m.DoF}
}

// WriteJSON writes the report as one JSON document:
// {"run", "usable_cpus", "confidence", "cells", "fits", "drift",
// "warnings"}. Cells have the CSV columns as keys, then "diagnostics";
// missing numbers are null. docs/report-json.md lists every key.
func WriteJSON(w io.Writer, r *Report) error {
	cells := make([]cellJSON, len(r.Cells))
	for i := range r.Cells {
		cells[i] = cellJSON{&r.Cells[i]}
	}
	fits := make([]fitJSON, len(r.Fits))
	for i, f := range r.Fits {
		fj := fitJSON{RangeIndex: f.RangeIndex, RangeStart: f.Range.Start, RangeCount: f.Range.Count, Schedule: string(f.Schedule),
			Confidence: r.Thresholds.Confidence, amdahlJSON: newAmdahlJSON(f),
			Processors: f.Processors, Warnings: messages(f.Warnings), Points: []fitPointJSON{}}
		if weak(r.Run) {
			g := newGustafsonJSON(f.Gustafson, f.GustafsonErr)
			fj.Gustafson = &g
		} else {
			kf, u, ch := newKarpFlattJSON(f.KarpFlatt), newUSLJSON(f.USL, f.USLErr), newChoiceJSON(f.Choice, f.ChoiceErr)
			fj.KarpFlatt, fj.USL, fj.Choice = &kf, &u, &ch
		}
		for _, j := range f.cells {
			c := r.Cells[j]
			fj.Points = append(fj.Points, fitPointJSON{c.Workers, c.Processors, c.InFit, jsonValue(c.Speedup), jsonValue(c.AmdahlSpeedup), jsonValue(c.Residual)})
		}
		fits[i] = fj
	}
	doc := struct {
		Run        RunJSON      `json:"run"`
		UsableCPUs int          `json:"usable_cpus"`
		Confidence float64      `json:"confidence"`
		Cells      []cellJSON   `json:"cells"`
		Fits       []fitJSON    `json:"fits"`
		Drift      runDriftJSON `json:"drift"`
		Warnings   []string     `json:"warnings"`
		Shards     *shardsJSON  `json:"shards,omitempty"`
	}{NewRunJSON(r.Run), r.UsableCPUs, r.Thresholds.Confidence, cells, fits, newRunDriftJSON(r.Drift), messages(r.Warnings), newShardsJSON(r.Shards)}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}
