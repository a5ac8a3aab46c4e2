package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/exp-tool/exp/experiment"
)

// RunJSON is the JSON form of a run, used by report and by exp runs.
type RunJSON struct {
	ID           int64           `json:"id"`
	UUID         string          `json:"uuid"`
	Name         string          `json:"name"`
	Status       string          `json:"status"`
	StartedAt    string          `json:"started_at"`
	FinishedAt   *string         `json:"finished_at"`
	Trials       int             `json:"trials"`
	Seed         int64           `json:"seed"`
	Kernel       string          `json:"kernel"`
	Repeats      int             `json:"repeats"`
	Warmup       int             `json:"warmup"`
	Chunk        int             `json:"chunk"`
	ConfigPath   string          `json:"config_path"`
	ConfigSHA256 string          `json:"config_sha256"`
	Error        string          `json:"error,omitempty"`
	Host         experiment.Host `json:"host"`
}

// NewRunJSON converts a run for JSON output.
func NewRunJSON(r experiment.Run) RunJSON {
	j := RunJSON{ID: r.ID, UUID: r.UUID, Name: r.Name, Status: string(r.Status), StartedAt: r.StartedAt.Format(time.RFC3339Nano),
		Trials: r.Trials, Seed: r.Seed, Kernel: r.Kernel, Repeats: r.Repeats, Warmup: r.Warmup, Chunk: r.Chunk,
		ConfigPath: r.ConfigPath, ConfigSHA256: r.ConfigSHA256, Error: r.Error, Host: r.Host}
	if !r.FinishedAt.IsZero() {
		s := r.FinishedAt.Format(time.RFC3339Nano)
		j.FinishedAt = &s
	}
	return j
}

// cellJSON renders a cell as an object whose keys follow the CSV columns,
// in the same order.
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
	b.WriteByte('}')
	return b.Bytes(), nil
}

type fitPointJSON struct {
	Workers          int `json:"workers"`
	Processors       int `json:"processors"`
	MeasuredSpeedup  any `json:"measured_speedup"`
	PredictedSpeedup any `json:"predicted_speedup"`
}

type fitJSON struct {
	RangeStart uint64         `json:"range_start"`
	RangeCount uint64         `json:"range_count"`
	Schedule   string         `json:"schedule"`
	B          any            `json:"b"`
	BCILow     any            `json:"b_ci_low"`
	BCIHigh    any            `json:"b_ci_high"`
	T1         any            `json:"t1_s"`
	MaxSpeedup any            `json:"max_speedup"`
	Processors []int          `json:"processors"`
	N          any            `json:"n"`   // cells fitted; null without a fit
	DoF        any            `json:"dof"` // residual degrees of freedom; null without a fit
	Points     []fitPointJSON `json:"points"`
	Warnings   []string       `json:"warnings"`
}

// WriteJSON writes the report as one JSON document:
// {"run", "usable_cpus", "cells", "fits", "warnings"}. Cells have the CSV
// columns as keys; missing numbers are null.
func WriteJSON(w io.Writer, r *Report) error {
	cells := make([]cellJSON, len(r.Cells))
	for i := range r.Cells {
		cells[i] = cellJSON{&r.Cells[i]}
	}
	fits := make([]fitJSON, len(r.Fits))
	for i, f := range r.Fits {
		fj := fitJSON{RangeStart: f.Range.Start, RangeCount: f.Range.Count, Schedule: string(f.Schedule),
			Processors: f.Processors, Warnings: jsonValue(f.Warnings).([]string), Points: []fitPointJSON{}}
		if f.Err == nil {
			m := f.Model
			fj.B, fj.BCILow, fj.BCIHigh = jsonValue(m.B), jsonValue(m.BLow), jsonValue(m.BHigh)
			fj.T1, fj.MaxSpeedup, fj.N, fj.DoF = jsonValue(m.T1), jsonValue(m.MaxSpeedup()), m.N, m.DoF
		}
		for _, c := range r.Cells {
			if c.Range == f.Range && c.Schedule == f.Schedule {
				fj.Points = append(fj.Points, fitPointJSON{c.Workers, c.Processors, jsonValue(c.Speedup), jsonValue(c.AmdahlSpeedup)})
			}
		}
		fits[i] = fj
	}
	doc := struct {
		Run        RunJSON    `json:"run"`
		UsableCPUs int        `json:"usable_cpus"`
		Cells      []cellJSON `json:"cells"`
		Fits       []fitJSON  `json:"fits"`
		Warnings   []string   `json:"warnings"`
	}{NewRunJSON(r.Run), r.UsableCPUs, cells, fits, jsonValue(r.Warnings).([]string)}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}
