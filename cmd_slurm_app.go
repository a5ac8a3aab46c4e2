package main

import "github.com/urfave/cli/v2"

// slurmCommand is exp slurm: submit and collect a sharded run as a Slurm
// job array.
func slurmCommand(onUsage cli.OnUsageErrorFunc) *cli.Command {
	dir := &cli.StringFlag{Name: "dir", Usage: "results `DIR`: the script, the shard databases and logs (default: exp-slurm-JOBNAME; collect: the one recording JOBID)"}
	out := &cli.StringFlag{Name: "out", Usage: "merge the shards into `OUT.db` (default: DIR/merged.db)"}
	return &cli.Command{
		Name:  "slurm",
		Usage: "run an experiment file as a Slurm job array, one shard per task, and merge the shards",
		Description: "exp slurm submit writes an array script (from deploy/slurm/exp-array.sbatch.tmpl) into a results directory,\n" +
			"exp-slurm-JOBNAME/, submits it with sbatch --parsable and prints the job id. Task I runs\n" +
			"   exp run FILE --shard I/N --db DIR/shard-I.db\n" +
			"so each shard writes its own SQLite file (never share one over a network file system); its log is DIR/shard-I.log.\n" +
			"exp slurm collect JOBID (or submit --wait) polls squeue -h -j JOBID until the array has ended, checks\n" +
			"that every shard's database holds a done run of its shard, merges those into DIR/merged.db (exp merge),\n" +
			"and names each missing or failed shard with the command that resubmits it alone (--only I).\n" +
			"Each shard's run records its node, CPU model and count: read a merged file one run at a time.\n\n" +
			"Examples:\n" +
			"   exp slurm submit experiments.yaml --shards 4 --partition debug --wait\n" +
			"   exp slurm collect 1234\n" +
			"   exp slurm submit experiments.yaml --shards 4 --only 2      rerun shard 2 alone",
		Subcommands: []*cli.Command{
			{
				Name:      "submit",
				Usage:     "write the array script of FILE's shards and submit it with sbatch",
				ArgsUsage: "EXPERIMENT.yaml --shards N",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "shards", Usage: "split the matrix into `N` shards, one array task each (required)"},
					&cli.StringFlag{Name: "partition", Usage: "Slurm `PARTITION` (default: the cluster's)"},
					&cli.BoolFlag{Name: "exclusive", Value: true, Usage: "a whole node per shard, so that no other job disturbs the timings (--exclusive=false shares nodes)"},
					&cli.BoolFlag{Name: "wait", Usage: "then wait for the array and collect it, as exp slurm collect does"},
					&cli.StringFlag{Name: "only", Usage: "submit only shards `I[,J...]`, say after a failure (their old databases are moved aside)"},
					&cli.StringFlag{Name: "name", Usage: "Slurm job `NAME` (default: exp- and the experiment's name)"},
					dir, out,
				},
				OnUsageError: onUsage,
				Action:       cmdSlurmSubmit,
			},
			{
				Name:         "collect",
				Usage:        "wait for a submitted array, check every shard and merge them into one database",
				ArgsUsage:    "JOBID",
				Flags:        []cli.Flag{dir, out},
				OnUsageError: onUsage,
				Action:       cmdSlurmCollect,
			},
		},
	}
}
