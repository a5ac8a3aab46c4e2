package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/slurm"
	"github.com/exp-tool/exp/store"
	"github.com/urfave/cli/v2"
)

// cmdSlurmSubmit is exp slurm submit: it writes the array script of the
// file's N shards into the results directory, submits it, prints the job
// id, and with --wait collects the shards as exp slurm collect does.
func cmdSlurmSubmit(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef("slurm submit takes one experiment file, got %d arguments (try: exp slurm submit experiments.yaml --shards 4)", c.NArg())
	}
	n, err := experiment.ParseShardCount(c.String("shards"))
	if err != nil {
		return usagef("--shards: %w", err)
	}
	only, err := parseOnly(c.String("only"), n)
	if err != nil {
		return err
	}
	cfg, err := experiment.Load(c.Context, c.Args().First())
	if err != nil {
		return err
	}
	job, err := newSlurmJob(c, cfg, n, only)
	if err != nil {
		return err
	}
	m, err := slurm.ReadManifest(job.Dir)
	if err != nil && len(only) > 0 {
		return usagef("--only resubmits shards of an earlier exp slurm submit, but %s has none: %w", job.Dir, err)
	}
	if err := os.MkdirAll(job.Dir, 0o755); err != nil {
		return fmt.Errorf("results directory: %w", err)
	}
	for _, i := range only { // a resubmitted shard starts a new file; the old one is kept aside
		old := job.ShardDB(i)
		if _, err := os.Stat(old); err == nil {
			aside := fmt.Sprintf("%s.failed-%s", old, time.Now().UTC().Format("20060102T150405"))
			for _, suffix := range []string{"", "-wal", "-shm"} {
				_ = os.Rename(old+suffix, aside+suffix)
			}
			fmt.Fprintf(c.App.ErrWriter, "shard %d: moved its database aside to %s\n", i, aside)
		}
	}
	script, err := slurm.WriteScript(job)
	if err != nil {
		return err
	}
	id, err := slurm.Submit(c.Context, script)
	if err != nil {
		return err
	}
	m.Job.Name, m.Job.File, m.Job.Exp, m.Job.Dir, m.Job.Shards = job.Name, job.File, job.Exp, job.Dir, job.Shards
	m.JobIDs = append(m.JobIDs, id)
	if err := m.Write(); err != nil {
		return err
	}
	fmt.Fprintln(c.App.Writer, id)
	fmt.Fprintf(c.App.ErrWriter, "submitted %s (array %s of %d shards, script %s); then: exp slurm collect %s --dir %s\n",
		id, job.Array(), n, script, id, shellQuote(job.Dir))
	if !c.Bool("wait") {
		return nil
	}
	return collect(c, id, job.Dir)
}

// newSlurmJob describes the array job of cfg's n shards from the flags.
func newSlurmJob(c *cli.Context, cfg *experiment.Config, n int, only []int) (slurm.Job, error) {
	file, err := filepath.Abs(cfg.File)
	if err != nil {
		return slurm.Job{}, fmt.Errorf("experiment file: %w", err)
	}
	bin, err := os.Executable()
	if err != nil {
		return slurm.Job{}, fmt.Errorf("exp binary: %w", err)
	}
	name := c.String("name")
	if name == "" {
		name = "exp-" + regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(cfg.Name, "-")
	}
	dir := c.String("dir")
	if dir == "" {
		dir = "exp-slurm-" + name
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return slurm.Job{}, fmt.Errorf("results directory: %w", err)
	}
	return slurm.Job{Name: name, File: file, Exp: bin, Dir: dir, Shards: n, Only: only,
		Partition: c.String("partition"), Exclusive: c.Bool("exclusive"), CPUs: slices.Max(cfg.Workers)}, nil
}

// parseOnly reads --only I[,J...]: shards below n.
func parseOnly(s string, n int) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		i, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || i < 0 || i >= n {
			return nil, usagef("--only must list shard indexes from 0 to %d, separated by commas, got %q", n-1, s)
		}
		out = append(out, i)
	}
	return out, nil
}

// cmdSlurmCollect is exp slurm collect JOBID: it waits for the array,
// checks every shard and merges the shards that are done.
func cmdSlurmCollect(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef("slurm collect takes one job id (what exp slurm submit printed), got %d arguments", c.NArg())
	}
	id := c.Args().First()
	dir := c.String("dir")
	if dir == "" {
		var err error
		if dir, err = slurm.FindDir(".", id); err != nil {
			return usageError{err}
		}
	}
	return collect(c, id, dir)
}

// collect waits for job id, then checks and merges the shards of dir.
func collect(c *cli.Context, id, dir string) error {
	m, err := slurm.ReadManifest(dir)
	if err != nil {
		return usageError{err}
	}
	w := c.App.ErrWriter
	fmt.Fprintf(w, "waiting for job %s (squeue every %s)\n", id, slurm.PollInterval)
	err = slurm.Wait(c.Context, id, func(lines []string) { fmt.Fprintf(w, "job %s: %s\n", id, strings.Join(lines, "; ")) })
	if err != nil {
		return err
	}
	done, problems := checkShards(c, m.Job)
	out := c.String("out")
	if out == "" {
		out = filepath.Join(dir, "merged.db")
	}
	if len(done) > 0 {
		if _, err := store.Merge(c.Context, out, done, nil); err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "merged %d of %d shards into %s (exp runs --db %s; exp report --db %s --run UUID, one shard at a time)\n",
			len(done), m.Job.Shards, out, shellQuote(out), shellQuote(out))
	}
	if len(problems) > 0 {
		var bad []string
		for _, p := range problems {
			fmt.Fprintln(w, p.msg)
			bad = append(bad, strconv.Itoa(p.shard))
		}
		return fmt.Errorf("%d of %d shards did not finish; resubmit them with: exp slurm submit %s --shards %d --only %s --dir %s",
			len(problems), m.Job.Shards, shellQuote(m.Job.File), m.Job.Shards, strings.Join(bad, ","), shellQuote(dir))
	}
	return nil
}

// shardProblem is a shard that did not finish, and why.
type shardProblem struct {
	shard int
	msg   string
}

// checkShards returns the databases of job's shards that hold a done run
// of their shard, and a problem for each other shard: its database is
// missing, or its run is not done.
func checkShards(c *cli.Context, job slurm.Job) (done []string, problems []shardProblem) {
	for i := range job.Shards {
		path, want := job.ShardDB(i), experiment.Shard{Index: i, Count: job.Shards}
		if _, err := os.Stat(path); err != nil {
			problems = append(problems, shardProblem{i, fmt.Sprintf("shard %d: no database %s (did its task start? see %s)", i, path, job.ShardLog(i))})
			continue
		}
		runs, err := listRuns(c, path)
		if err != nil {
			problems = append(problems, shardProblem{i, fmt.Sprintf("shard %d: %v (see %s)", i, err, job.ShardLog(i))})
			continue
		}
		status := "no run of shard " + want.String()
		for _, r := range runs {
			if r.Shard == want {
				status = fmt.Sprintf("run %d is %s", r.ID, r.Status)
				if r.Error != "" {
					status += ": " + r.Error
				}
				if r.Status == experiment.StatusDone {
					status = ""
					break
				}
			}
		}
		if status != "" {
			problems = append(problems, shardProblem{i, fmt.Sprintf("shard %d: %s: %s (see %s)", i, path, status, job.ShardLog(i))})
			continue
		}
		done = append(done, path)
	}
	return done, problems
}

// listRuns reads the runs of the database at path.
func listRuns(c *cli.Context, path string) ([]experiment.Run, error) {
	db, err := store.OpenExisting(c.Context, path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	runs, err := db.ListRuns(c.Context)
	if err != nil {
		return nil, fmt.Errorf("list runs of %s: %w", path, err)
	}
	return runs, nil
}
