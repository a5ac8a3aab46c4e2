package main

import (
	"context"
	"fmt"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/report"
	"github.com/exp-tool/exp/store"
)

// loadJobReport is loadReport for exp report, check and suggest: when the
// run ref names is one shard of a job (exp run --shard, exp slurm) and the
// file holds other shards of it (a file made by exp slurm collect or exp
// merge), the report is of every shard together, cells in the whole
// matrix's order, so that each curve gets its speedups and fit, and it
// names the shards the file lacks; with oneRun, or for a run that is not
// a shard, it is loadReport.
func loadJobReport(ctx context.Context, db *store.DB, ref string, th report.Thresholds, oneRun bool) (*report.Report, error) {
	r, err := db.FindRun(ctx, ref)
	if err != nil {
		return nil, err
	}
	runs, err := db.ShardRuns(ctx, r)
	if err != nil {
		return nil, err
	}
	if oneRun || !r.Shard.Sharded() {
		return loadReport(ctx, db, fmt.Sprint(r.ID), th)
	}
	return loadShards(ctx, db, runs, th)
}

// loadShards reports the shards' runs together: each run's cells are
// placed at their index in the whole matrix (rebuilt from the stored
// config and seed as exp run --shard built it), and its trials follow.
func loadShards(ctx context.Context, db *store.DB, runs []experiment.Run, th report.Thresholds) (*report.Report, error) {
	first := runs[0]
	cfg, err := experiment.Parse(first.ConfigPath, []byte(first.ConfigYAML))
	if err != nil {
		return nil, fmt.Errorf("run %d's stored config no longer parses with this exp: %w", first.ID, err)
	}
	full := experiment.NewPlan(cfg, first.Seed).Cells
	matrixSize := len(full)
	at := make([]int, matrixSize) // matrix index -> which of runs ran the cell, or -1
	for i := range at {
		at[i] = -1
	}
	matrixOf := make([][]int, len(runs)) // per run: its cell index -> matrix index
	for k, run := range runs {
		plan := experiment.NewPlan(cfg, run.Seed).Restrict(run.Shard)
		stored, err := db.Cells(ctx, run.ID)
		if err != nil {
			return nil, err
		}
		if len(stored) != len(plan.Cells) {
			return nil, fmt.Errorf("run %d (shard %s): this exp expands its stored config into %d cells, not the %d stored: report it alone with --shard-only", run.ID, run.Shard, len(plan.Cells), len(stored))
		}
		for i, sc := range stored {
			if sc.Cell != plan.Cells[i] {
				return nil, fmt.Errorf("run %d (shard %s): its cell %d is not the one this exp plans: report it alone with --shard-only", run.ID, run.Shard, i)
			}
			at[plan.Matrix[i]] = k
		}
		matrixOf[k] = plan.Matrix
	}
	var cells []experiment.Cell
	set := &report.Shards{Count: first.Shard.Count, Runs: runs}
	pos := make([]int, matrixSize) // matrix index -> position in cells
	for m, k := range at {
		if k < 0 {
			continue
		}
		c := full[m]
		c.Index = len(cells)
		pos[m] = len(cells)
		cells = append(cells, c)
		set.CellRun = append(set.CellRun, k)
	}
	run := jobRun(runs)
	b := report.NewBuilder(run, cells, th)
	b.Shards(set)
	for k, sr := range runs {
		local := matrixOf[k]
		err := db.EachTrial(ctx, sr.ID, func(t *experiment.Trial) error {
			if t.Cell >= 0 && t.Cell < len(local) {
				t.Cell = pos[local[t.Cell]]
			} else {
				t.Cell = -1
			}
			b.Add(t)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	rep := b.Report()
	for _, sr := range runs {
		skipped, err := db.Skipped(ctx, sr.ID)
		if err != nil {
			return nil, err
		}
		hf, err := db.HookFailures(ctx, sr.ID)
		if err != nil {
			return nil, err
		}
		for _, w := range append(skippedWarnings(skipped), hookFailureWarnings(hf)...) {
			rep.Warnings = append(rep.Warnings, fmt.Errorf("shard %d: %w", sr.Shard.Index, w))
		}
	}
	return rep, nil
}

// jobRun is the run a report of shards describes: the first shard's
// record, with every shard's trials, the status of the first that is not
// done (else done), and the whole matrix for its shard.
func jobRun(runs []experiment.Run) experiment.Run {
	run := runs[0]
	run.Trials = 0
	for _, r := range runs {
		run.Trials += r.Trials
		if run.Status == experiment.StatusDone && r.Status != experiment.StatusDone {
			run.Status, run.Error = r.Status, ""
			if r.Error != "" {
				run.Error = fmt.Sprintf("shard %d: %s", r.Shard.Index, r.Error)
			}
		}
	}
	run.Shard = experiment.Shard{}
	return run
}
