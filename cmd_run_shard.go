package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/exp-tool/exp/experiment"
	"github.com/urfave/cli/v2"
)

// shardFlags are exp run's flags that run one part of the matrix.
func shardFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "shard", Usage: "run only part `I/N` of the matrix (I from 0 to N-1), balanced by estimated cost; " +
			"default: $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT in a Slurm array job"},
		&cli.StringFlag{Name: "shards", Usage: "the shard count `N`, with the index from --shard I, $SLURM_ARRAY_TASK_ID " +
			"or $JOB_COMPLETION_INDEX (a Kubernetes Indexed Job)"},
	}
}

// runShard is the shard exp run runs: --shard I/N; --shard I with
// --shards N; --shards N with the index from the environment; else a Slurm
// array task's $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT; else none
// (the zero Shard). from says where it came from, for a message. A bad
// value is a usage error naming what is allowed.
func runShard(c *cli.Context) (s experiment.Shard, from string, err error) {
	count := 0
	if c.IsSet("shards") {
		if count, err = experiment.ParseShardCount(c.String("shards")); err != nil {
			return s, "", usagef("--shards: %w", err)
		}
	}
	if c.IsSet("shard") {
		v := c.String("shard")
		if !strings.Contains(v, "/") && count > 0 {
			s, err = experiment.NewShard(v, count)
		} else if s, err = experiment.ParseShard(v); err == nil && count > 0 && s.Count != count {
			err = fmt.Errorf("%w: %q has count %d, but --shards is %d", experiment.ErrBadShard, v, s.Count, count)
		}
		if err != nil {
			return s, "", usagef("--shard: %w (allowed: I/N with 0 <= I < N <= %d, or I with --shards N)", err, experiment.MaxShards)
		}
		return s, "--shard", nil
	}
	s, from, ok, err := experiment.ShardFromEnv(os.Getenv, count)
	if err != nil {
		return s, "", usagef("%w", err)
	}
	if !ok && count > 0 {
		return s, "", usagef("--shards %d needs the shard index: --shard I, $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX", count)
	}
	return s, from, nil
}

// shardDBPath is the database a shard writes: path with {shard} replaced
// by the index and {shards} by the count. A path without {shard} gets
// -shard-I-of-N before its extension (exp.db: exp-shard-I-of-N.db),
// unless --db named it: SQLite must not be shared by machines over a
// network file system, so each shard writes its own file by default.
func shardDBPath(c *cli.Context, path string, s experiment.Shard) string {
	if !s.Sharded() {
		return path
	}
	if strings.Contains(path, "{shard}") {
		return strings.NewReplacer("{shard}", strconv.Itoa(s.Index), "{shards}", strconv.Itoa(s.Count)).Replace(path)
	}
	if c.IsSet("db") && os.Getenv("EXP_DB") != path {
		return path
	}
	ext := filepath.Ext(path)
	return fmt.Sprintf("%s-shard-%d-of-%d%s", strings.TrimSuffix(path, ext), s.Index, s.Count, ext)
}

// errShardWithResume refuses --shard with --resume: a run's shard is stored with it.
var errShardWithResume = errors.New("--shard and --shards go with a new run: --resume takes the shard stored with the run")
