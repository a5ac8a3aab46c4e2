package experiment_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/exp-tool/exp/experiment"
)

// shardConfig is a matrix of 3 ranges of different costs x 3 schedules x
// 4 worker counts = 36 cells.
func shardConfig(t testing.TB) *experiment.Config {
	t.Helper()
	cfg, err := experiment.Parse("shard.yaml", []byte(`name: shard
seed: 7
repeats: 2
warmup: 1
ranges:
  - {start: 1000, count: 5000}
  - {start: 10000000000000, count: 300}
  - {start: 1000000000000000, count: 900}
workers: [1, 2, 3, 4]
schedules: [per-item, chunked, static]
`))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestShardsCoverEveryCellOnce(t *testing.T) {
	plan := experiment.NewPlan(shardConfig(t), 7)
	for _, n := range []int{1, 2, 3, 4, 7, 36, 50} {
		seen := make([]int, len(plan.Cells))
		steps := 0
		for i := range n {
			q := plan.Restrict(experiment.Shard{Index: i, Count: n})
			steps += len(q.Steps)
			for j, c := range q.Cells {
				if c.Index != j {
					t.Fatalf("n=%d shard %d: cell %d has Index %d", n, i, j, c.Index)
				}
				seen[q.Matrix[j]]++
				want := plan.Cells[q.Matrix[j]]
				if c.Range != want.Range || c.Schedule != want.Schedule || c.Workers != want.Workers {
					t.Fatalf("n=%d shard %d: cell %d is not matrix cell %d", n, i, j, q.Matrix[j])
				}
			}
			// The seed's order, restricted: matrix steps of these cells in order.
			var want []experiment.Step
			for _, st := range plan.Steps {
				for j, m := range q.Matrix {
					if m == st.Cell {
						st.Cell, st.Seq = j, len(want)
						want = append(want, st)
					}
				}
			}
			if !slices.Equal(q.Steps, want) {
				t.Fatalf("n=%d shard %d: steps are not the matrix's order restricted to its cells", n, i)
			}
		}
		for ci, k := range seen {
			if k != 1 {
				t.Errorf("n=%d: cell %d is in %d shards, want 1", n, ci, k)
			}
		}
		if steps != len(plan.Steps) {
			t.Errorf("n=%d: %d steps in all shards, want %d", n, steps, len(plan.Steps))
		}
	}
}

func TestShardsBalanceByCost(t *testing.T) {
	cfg := shardConfig(t)
	plan := experiment.NewPlan(cfg, 7)
	costs := make([]float64, len(plan.Cells))
	total, largest := 0.0, 0.0
	for i, c := range plan.Cells {
		costs[i] = experiment.CellCost(cfg, c)
		total += costs[i]
		largest = max(largest, costs[i])
	}
	for _, n := range []int{2, 3, 4, 5} {
		shards := experiment.AssignShards(costs, n)
		// LPT: each shard's load is at most the mean plus the largest cell.
		for i, cells := range shards {
			load := 0.0
			for _, ci := range cells {
				load += costs[ci]
			}
			if bound := total/float64(n) + largest; load > bound {
				t.Errorf("n=%d shard %d: load %.0f above the bound %.0f", n, i, load, bound)
			}
		}
	}
	// Cost, not count: one heavy cell and three light ones in 2 shards
	// give 1 and 3 cells.
	got := experiment.AssignShards([]float64{1, 10, 1, 1}, 2)
	if want := [][]int{{1}, {0, 2, 3}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("AssignShards(1, 10, 1, 1) = %v, want %v", got, want)
	}
	// Ties go to the lower index and the lower shard: deterministic.
	got = experiment.AssignShards([]float64{2, 2, 2, 2, 2}, 2)
	if want := [][]int{{0, 2, 4}, {1, 3}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("AssignShards(equal costs) = %v, want %v", got, want)
	}
}

func TestShardsDeterministic(t *testing.T) {
	a := experiment.NewPlan(shardConfig(t), 7).Restrict(experiment.Shard{Index: 1, Count: 4})
	b := experiment.NewPlan(shardConfig(t), 7).Restrict(experiment.Shard{Index: 1, Count: 4})
	if !slices.Equal(a.Cells, b.Cells) || !slices.Equal(a.Steps, b.Steps) {
		t.Error("the same config, seed and shard gave different plans")
	}
}

func TestParseShard(t *testing.T) {
	for _, in := range []string{"0/1", "3/4", " 2/10 "} {
		if _, err := experiment.ParseShard(in); err != nil {
			t.Errorf("ParseShard(%q): %v", in, err)
		}
	}
	for _, in := range []string{"", "1", "4/4", "-1/4", "a/4", "1/0", "1/x", "0/-2", "1/2/3", "0/100001"} {
		t.Run("ErrBadShard", func(t *testing.T) {
			if _, err := experiment.ParseShard(in); !errors.Is(err, experiment.ErrBadShard) {
				t.Errorf("ParseShard(%q) = %v, want ErrBadShard", in, err)
			}
		})
	}
}

func TestShardFromEnv(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	check := func(getenv func(string) string, count int, want experiment.Shard, wantOK, wantErr bool) {
		t.Helper()
		got, _, ok, err := experiment.ShardFromEnv(getenv, count)
		if (err != nil) != wantErr || ok != wantOK || got != want {
			t.Errorf("ShardFromEnv = %v, %v, %v; want %v, %v, error %v", got, ok, err, want, wantOK, wantErr)
		}
	}
	check(env(), 0, experiment.Shard{}, false, false)
	check(env("SLURM_ARRAY_TASK_ID", "2", "SLURM_ARRAY_TASK_COUNT", "4"), 0, experiment.Shard{Index: 2, Count: 4}, true, false)
	check(env("SLURM_ARRAY_TASK_ID", "2"), 0, experiment.Shard{}, false, false)
	check(env("SLURM_ARRAY_TASK_ID", "2", "SLURM_ARRAY_TASK_COUNT", "1"), 3, experiment.Shard{Index: 2, Count: 3}, true, false)
	check(env("JOB_COMPLETION_INDEX", "1"), 2, experiment.Shard{Index: 1, Count: 2}, true, false)
	check(env("JOB_COMPLETION_INDEX", "2"), 2, experiment.Shard{}, false, true)
	check(env("SLURM_ARRAY_TASK_ID", "5", "SLURM_ARRAY_TASK_COUNT", "4"), 0, experiment.Shard{}, false, true)
}

func TestBatchJobFromEnv(t *testing.T) {
	env := map[string]string{"SLURM_JOB_ID": "12", "SLURM_ARRAY_JOB_ID": "10", "SLURM_ARRAY_TASK_ID": "2", "SLURMD_NODENAME": "n3"}
	if got, want := experiment.BatchJobFromEnv(func(k string) string { return env[k] }, "h"), (experiment.BatchJob{JobID: "12", ArrayJobID: "10", ArrayTaskID: 2, Node: "n3"}); got != want {
		t.Errorf("in Slurm: %+v, want %+v", got, want)
	}
	if got, want := experiment.BatchJobFromEnv(func(string) string { return "" }, "h"), (experiment.BatchJob{ArrayTaskID: -1, Node: "h"}); got != want {
		t.Errorf("outside Slurm: %+v, want %+v", got, want)
	}
}
