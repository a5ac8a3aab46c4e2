package store

import (
	"context"

	"github.com/exp-tool/exp/experiment"
)

// ShardRuns returns the runs of this file that ran the shards of r's job:
// runs of the same experiment file (config SHA-256), split into the same
// number of shards, in the same Slurm array job ("" outside Slurm, as for
// exp run --shard by hand); of several runs of one shard index, the
// latest (a shard resubmitted with exp slurm submit --only). They come in
// shard order, r's own shard being r. For a run that is not a shard it
// returns r alone.
func (db *DB) ShardRuns(ctx context.Context, r experiment.Run) ([]experiment.Run, error) {
	if !r.Shard.Sharded() || !db.hasColumnsOf(shardsVersion) {
		return []experiment.Run{r}, nil
	}
	found, err := db.queryRuns(ctx, `WHERE r.config_sha256 = ? AND r.shard_count = ? ORDER BY r.id`, r.ConfigSHA256, r.Shard.Count)
	if err != nil {
		return nil, err
	}
	byIndex := make([]*experiment.Run, r.Shard.Count)
	for i := range found {
		s := &found[i]
		if s.Batch.ArrayJobID != r.Batch.ArrayJobID || s.Shard.Index < 0 || s.Shard.Index >= r.Shard.Count {
			continue
		}
		byIndex[s.Shard.Index] = s
	}
	byIndex[r.Shard.Index] = &r
	var out []experiment.Run
	for _, s := range byIndex {
		if s != nil {
			out = append(out, *s)
		}
	}
	return out, nil
}
