package report

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/exp-tool/exp/experiment"
)

// ErrMixedHosts marks a speedup or fit whose cells ran on more than one
// host: shards of one job on different nodes.
var ErrMixedHosts = errors.New("mixed hosts")

// Shards is what a report of several shards of one job (exp run --shard,
// exp slurm) holds beside its cells: which run ran which cell.
type Shards struct {
	Count int              // how many shards the job was split into
	Runs  []experiment.Run // the shards' runs that the file holds, in shard order
	// CellRun is, per cell of the report (by position), which of Runs ran it.
	CellRun []int
}

// Missing lists the shard indexes of the job that have no run in Runs.
func (s *Shards) Missing() []int {
	var out []int
	for i := range s.Count {
		if !slices.ContainsFunc(s.Runs, func(r experiment.Run) bool { return r.Shard.Index == i }) {
			out = append(out, i)
		}
	}
	return out
}

// hostOf names the machine a run ran on: its node (or hostname) and CPU.
func hostOf(r experiment.Run) string {
	node := r.Batch.Node
	if node == "" {
		node = r.Host.Hostname
	}
	return fmt.Sprintf("%s (%s, %d CPUs)", node, orDash(r.Host.CPUModel), r.Host.UsableCPUs())
}

// hosts are the distinct hosts of the runs behind cells, in order.
func (s *Shards) hosts(cells []int) []string {
	var out []string
	for _, c := range cells {
		if h := hostOf(s.Runs[s.CellRun[c]]); !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

// Shards makes the report the one of a whole job, several shards' runs
// whose cells and trials b is given (see Shards): Report then skips the
// run-wide drift test when there are several (each shard ran in its own
// order, often on its own node), says which shards are missing, and
// warns of every speedup and fit whose cells ran on different hosts: exp
// fits across them, but says so. Call it before Report.
func (b *Builder) Shards(s *Shards) { b.rep.Shards = s }

// shardWarnings adds to the cells and fits of a report of shards
// (Builder.Shards) their mixed-hosts notes, and returns its run-level
// warnings; nothing for a report of one run.
func (rep *Report) shardWarnings() []error {
	s := rep.Shards
	if s == nil {
		return nil
	}
	var run []error
	if m := s.Missing(); len(m) > 0 {
		run = append(run, fmt.Errorf("%s of %d missing from this file (%s): their cells are not in the report (exp slurm collect names them)",
			plural(len(m), "shard"), s.Count, joinInts(m)))
	}
	for i := range rep.Cells {
		c := &rep.Cells[i]
		if c.Workers == 1 || c.N == 0 {
			continue
		}
		g := rep.groupOf(c.Cell)
		base := slices.IndexFunc(rep.Cells, func(b CellStats) bool { return b.Workers == 1 && rep.groupOf(b.Cell) == g })
		if base < 0 {
			continue
		}
		if hs := s.hosts([]int{base, i}); len(hs) > 1 {
			c.notes = append(c.notes, fmt.Errorf("%w: the speedup is against a 1-worker cell that ran on another host, %s; this cell ran on %s", ErrMixedHosts, hs[0], hs[1]))
		}
	}
	for i := range rep.Fits {
		f := &rep.Fits[i]
		if hs := s.hosts(f.cells); len(hs) > 1 {
			f.Warnings = append(f.Warnings, fmt.Errorf("%w: one curve fitted across %d hosts (%s): their shards ran on different nodes", ErrMixedHosts, len(hs), strings.Join(hs, "; ")))
		}
	}
	return run
}

// ShardsText is the report header's line about the shards ("shards 4 of
// 4 (0: run 1, ...), on HOSTS"), "" for a report of one run.
func ShardsText(r *Report) string {
	s := r.Shards
	if s == nil {
		return ""
	}
	var parts []string
	for _, run := range s.Runs {
		parts = append(parts, fmt.Sprintf("%d: run %d", run.Shard.Index, run.ID))
	}
	all := make([]int, len(r.Cells))
	for i := range all {
		all[i] = i
	}
	return fmt.Sprintf("shards %d of %d (%s), on %s", len(s.Runs), s.Count, strings.Join(parts, ", "), strings.Join(s.hosts(all), "; "))
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

// shardsJSON is the "shards" object of a report of a job's shards.
type shardsJSON struct {
	Count     int            `json:"count"`
	Missing   []int          `json:"missing"`
	Runs      []shardRunJSON `json:"runs"`
	CellShard []int          `json:"cell_shard"` // per cell, in the order of "cells": the shard that ran it
}

// shardRunJSON is one shard's run in shardsJSON.
type shardRunJSON struct {
	Shard  int    `json:"shard"`
	ID     int64  `json:"id"`
	UUID   string `json:"uuid"`
	Status string `json:"status"`
	Trials int    `json:"trials"`
	Host   string `json:"host"`
}

func newShardsJSON(s *Shards) *shardsJSON {
	if s == nil {
		return nil
	}
	j := &shardsJSON{Count: s.Count, Missing: s.Missing(), CellShard: make([]int, len(s.CellRun))}
	if j.Missing == nil {
		j.Missing = []int{}
	}
	for _, r := range s.Runs {
		j.Runs = append(j.Runs, shardRunJSON{r.Shard.Index, r.ID, r.UUID, string(r.Status), r.Trials, hostOf(r)})
	}
	for i, k := range s.CellRun {
		j.CellShard[i] = s.Runs[k].Shard.Index
	}
	return j
}
