package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/exp-tool/exp/chart"
	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/report"
	"github.com/urfave/cli/v2"
)

// newApp is exp's command-line interface: every command, its flags and
// its help, writing to stdout and stderr.
func newApp(stdout, stderr io.Writer) *cli.App {
	onUsage := func(c *cli.Context, err error, _ bool) error {
		// Go's flag package says "flag provided but not defined: -x".
		if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok {
			where := "exp --help"
			if c.Command != nil && c.Command.Name != "" {
				where = "exp help " + c.Command.Name
			}
			return usagef("unknown flag --%s (see %s)", strings.TrimLeft(name, "-"), where)
		}
		// ... and "invalid value "abc" for flag -x: parse error", or for a
		// flag that may stand alone "invalid boolean value "abc" for -x: why".
		var value, name string
		if _, scanErr := fmt.Sscanf(err.Error(), "invalid boolean value %q for -%s", &value, &name); scanErr == nil {
			name = strings.TrimSuffix(strings.TrimLeft(name, "-"), ":")
			return usagef("--%s must be %s, got %q", name, flagAllows(c, name, err), value)
		}
		if _, scanErr := fmt.Sscanf(err.Error(), "invalid value %q for flag -%s", &value, &name); scanErr == nil {
			name = strings.TrimSuffix(strings.TrimLeft(name, "-"), ":")
			return usagef("--%s must be %s, got %q", name, flagAllows(c, name, err), value)
		}
		return usageError{err}
	}
	runDB := &cli.StringFlag{Name: "db", EnvVars: []string{"EXP_DB"},
		Usage: "SQLite `FILE` to add the run to (default: the experiment file's database key, else exp.db)"}
	readDB := &cli.StringFlag{Name: "db", EnvVars: []string{"EXP_DB"}, Value: experiment.DefaultDatabase,
		Usage: "SQLite `FILE` to read"}
	formatFlag := func(allowed []report.Format) *cli.StringFlag {
		return &cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "output `FORMAT`: " + formatList(allowed)}
	}
	confidenceFlag := &cli.Float64Flag{Name: "confidence", Value: report.DefaultThresholds.Confidence,
		Usage: "`LEVEL` of every confidence interval, from 0.5 to 0.9999"}
	plotFlag := &cli.StringFlag{Name: "plot",
		Usage: "also draw the speedups and fitted laws into `FILE`, ." + strings.Join(chart.Formats, " or .") + " (written whole or not at all)"}
	thresholdFlag := &cli.Float64Flag{Name: "threshold", Value: report.DefaultThreshold * 100,
		Usage: "smallest change of a median, in `PERCENT`, that counts as a difference"}
	app := &cli.App{
		Name:    "exp",
		Usage:   "run scaling experiments, keep every trial in SQLite, fit Amdahl's law and the USL",
		Version: version(),
		Description: "Examples:\n" +
			"   exp run experiments.yaml               run the matrix into exp.db (flags may follow the file)\n" +
			"   exp run experiments.yaml --dry-run     the matrix, the order and an estimate of the time; runs nothing\n" +
			"   exp run --resume 3                     finish run 3 after Ctrl-C, kill -9 or a crash\n" +
			"   exp report                             latest run: medians, 95% CIs, speedups, scaling fits\n" +
			"   exp report --format csv --run 3        one run as CSV (also json, markdown)\n" +
			"   exp report --format benchfmt --run 3   each trial as a Go benchmark line, for benchstat\n" +
			"   exp report --plot speedup.svg          also draw the speedups and fitted laws (.svg or .png)\n" +
			"   exp report --format html -o r.html     one self-contained web page: tables, warnings, the plot\n" +
			"   exp runs                               runs stored in the database\n" +
			"   exp show 3                             one run's record: host, versions, config, reproductions\n" +
			"   exp export --format csv > trials.csv   every trial of every run, one row each, for pandas or R\n" +
			"   exp fit data.csv --x procs --y time    fit Amdahl's law and the USL to a CSV from elsewhere\n" +
			"   exp reproduce 3                        re-run run 3's stored config and seed here, and compare\n" +
			"   exp compare 3 4                        two runs cell by cell, as benchstat compares benchmarks\n" +
			"   exp check --expect 'b <= 0.05'         exit 0 pass, 4 fail, 5 inconclusive: a scaling gate for CI\n" +
			"   exp suggest --max-workers 16           where to measure next: workers and repeats that narrow B the most\n" +
			"   exp merge all.db a.db b.db             copy the runs of a.db and b.db (other machines, say) into all.db\n" +
			"   exp slurm submit e.yaml --shards 4     a Slurm job array, one shard of the matrix per task (exp run --shard I/N)\n\n" +
			"run writes to --db, else $EXP_DB, else the experiment file's database key, else exp.db;\n" +
			"report, runs, show and export read --db, else $EXP_DB, else exp.db.\n" +
			"Exit status: 0 success; 1 runtime failure or a wrong answer; 2 bad input (file, flag, database,\n" +
			"a run that cannot be resumed, a bad --expect); 3 not reproduced (exp reproduce); 4 an expectation fails\n" +
			"and 5 one is inconclusive (exp check, or exp run of a file with expect:); 130 interrupted by SIGINT (Ctrl-C)\n" +
			"or --max-duration, 143 by SIGTERM, 129 by SIGHUP (finished trials are kept; exp run --resume RUN finishes it).",
		Writer:    stdout,
		ErrWriter: stderr,
		// --expect 'b <= 0.05' is one value: no slice flag splits on commas.
		DisableSliceFlagSeparator: true,
		// Return errors instead of exiting: only main exits.
		ExitErrHandler:       func(*cli.Context, error) {},
		OnUsageError:         onUsage,
		HideHelpCommand:      false,
		EnableBashCompletion: false,
		Commands: []*cli.Command{
			{
				Name:      "run",
				Usage:     "run an experiment file and store every trial, or resume a run that did not finish",
				ArgsUsage: "EXPERIMENT.yaml | --resume RUN [EXPERIMENT.yaml]",
				Description: "Runs warmup+repeats trials of every cell (range x schedule x workers) in a seeded random order,\n" +
					"checks each trial's answer against an oracle, and commits each trial as it finishes. With\n" +
					"repeats: {min, max, precision} the trials run in seeded rounds, and a cell stops once its median's\n" +
					"95% interval is within ±precision (README: Repeat until precise). With invocations: N the trials\n" +
					"are split over N fresh exp processes, one after the other, each with its own warmups. With an\n" +
					"expect: list, the done run is judged as exp check judges it, and exp exits 4 or 5 if not all pass.\n" +
					"Ctrl-C (SIGINT), SIGTERM or a closed terminal (SIGHUP) stops after keeping every finished trial;\n" +
					"the run is marked interrupted, exp prints the command that resumes it and exits 130, 143 or 129;\n" +
					"so it is when --max-duration passes (130). A second Ctrl-C exits at once. A run whose exp was\n" +
					"killed shows as abandoned in exp runs. A trial past the file's timeout is cancelled, stored as timed\n" +
					"out, and the run goes on. Each trial records the CPU other processes used during it (/proc/stat).\n\n" +
					"--resume RUN goes on with an interrupted, abandoned or failed run of --db: it takes the config and\n" +
					"seed stored with the run (no file needed; a file given must be the stored one, byte for byte) and\n" +
					"runs only the trials it lacks, in the order the seed gave them. It refuses a run that is done, and a\n" +
					"run started on another host unless --any-host is given.\n\n" +
					"Examples:\n" +
					"   exp run experiments.yaml --db results.db\n" +
					"   exp run --resume 3 --db results.db\n" +
					"   exp run experiments.yaml --dry-run              the matrix, the order and an estimate; nothing runs\n" +
					"   exp run experiments.yaml --max-duration 2h      stop after 2 hours, keeping every finished trial\n" +
					"   exp run experiments.yaml --quiet-machine=1m     wait up to a minute before each trial for a quiet machine",
				Flags: append([]cli.Flag{
					runDB,
					&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress output"},
					&cli.StringFlag{Name: "resume", Usage: "go on with stored run `RUN` (an id, a UUID or unique prefix, or latest)"},
					&cli.BoolFlag{Name: "any-host", Usage: "with --resume: resume a run that was started on another host"},
					// Internal: the child exp of one process invocation (cmd_run_invocations.go).
					&cli.IntFlag{Name: "invocation", Hidden: true, Usage: "with --resume: run only the steps of process invocation `K` (internal)"},
				}, append(limitFlags(), shardFlags()...)...),
				OnUsageError: onUsage,
				Action:       cmdRun,
			},
			{
				Name:  "report",
				Usage: "statistics, speedups and scaling fits of a run",
				Description: "Cells: median wall time with a distribution-free CI of the median, CV, CPUs kept busy, speedup\n" +
					"against the 1-worker cell (with a CI), efficiency, Karp-Flatt serial fraction, the Amdahl prediction\n" +
					"and the cell's residual. Fits per range and schedule: Amdahl's B with its CI, T1, the ceiling 1/B\n" +
					"with its CI and R2; the Karp-Flatt trend, the USL and which of Amdahl and USL fits (with 3 or more\n" +
					"processor counts); Gustafson's serial fraction for weak scaling. README.md, Reading the report, explains each.\n" +
					"Trials that timed out are in no statistic; contended trials (other processes busy) are flagged, and left\n" +
					"out with --exclude-contended, which says how many per cell and in total.\n" +
					"--format benchfmt writes each measured trial with a right answer as a Go benchmark line, for benchstat;\n" +
					"--format html one self-contained page (no network: inline style, no script) with the run, every\n" +
					"warning, the plot and the tables. --output FILE writes any format to FILE, replaced once complete.\n" +
					"--plot FILE also draws the speedups (with their CIs) against effective processors, one series per range\n" +
					"and schedule, with the fitted Amdahl and USL curves (Gustafson's for weak scaling), the ideal S = p and\n" +
					"the ceiling 1/B, as SVG or PNG by the file's extension.",
				Flags: []cli.Flag{
					readDB,
					&cli.StringFlag{Name: "run", Aliases: []string{"r"}, Value: "latest", Usage: "run `ID`, UUID (or unique prefix), or latest"},
					formatFlag(reportFormats),
					&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to `FILE`, replaced once the report is complete (default: standard output)"},
					&cli.BoolFlag{Name: "shard-only", Usage: "of a run that is one shard of a job (exp run --shard, exp slurm), report that shard alone; " +
						"by default the report holds every shard of the job the file has (after exp slurm collect or exp merge)"},
					confidenceFlag,
					&cli.BoolFlag{Name: "exclude-contended", Usage: fmt.Sprintf("leave out of every statistic the trials during which other processes "+
						"kept more than %g CPUs busy (the CONTENDED column counts them either way)", report.DefaultThresholds.MaxOtherCPU)},
					&cli.Float64Flag{Name: "diagnose-alpha", Value: report.DefaultThresholds.DiagnoseAlpha,
						Usage: "significance `LEVEL` of each diagnostic of a cell's trials (drift, warmup, dependence, shape), below 0.5; 0 turns them off"},
					plotFlag,
				},
				OnUsageError: onUsage,
				Action:       cmdReport,
			},
			{
				Name:  "export",
				Usage: "write the raw trials, one row per trial, as CSV, JSON or JSON Lines, for pandas or R",
				Description: "Writes every stored trial of every run in --db (or of --run only), warmups, failed and timed-out\n" +
					"trials included, in the order they were stored: run_id, run_uuid, run_name, hostname, kernel, scaling,\n" +
					"the cell (cell_idx, range_idx, range_start, range_count, schedule, workers), the trial (seq, rep, warmup,\n" +
					"started_at, wall_ns, user_ns, sys_ns, load1, primes, checksum, ok, mismatch, timed_out, other_cpu_ns,\n" +
					"quiet_wait_ns), kernel command's input, exit_status and max_rss_kb, the trial's process (invocation),\n" +
					"the conclude hook's conclude_status, then each worker's busy time. docs/export.md explains every column.\n\n" +
					"csv (the default): RFC 4180 with a header; busy_ns_0 ... busy_ns_N-1 for the largest worker count N;\n" +
					"a missing value (NULL) is an empty field, a boolean 0 or 1. json: one array of objects; jsonl: one\n" +
					"object per line; a missing value is null, a boolean true or false, and the workers a list under\n" +
					"per_worker ({worker, busy_ns, items, primes}). The export streams: its memory does not grow with the\n" +
					"trials. With --output, the file is replaced only when the export is complete; on an error it is left\n" +
					"as it was.\n\n" +
					"Examples:\n" +
					"   exp export > trials.csv                           every run, as CSV\n" +
					"   exp export --run 3 --format json -o run3.json     one run, as one JSON document\n" +
					"   exp export -f jsonl | jq -c 'select(.ok | not)'   the trials without a right answer\n" +
					"   python3 -c 'import pandas as pd; print(pd.read_csv(\"trials.csv\").query(\"warmup == 0\").groupby([\"run_id\", \"workers\"]).wall_ns.median())'",
				Flags: []cli.Flag{
					readDB,
					&cli.StringFlag{Name: "run", Aliases: []string{"r"}, Usage: "export only run `RUN`: an id, a UUID (or unique prefix), or latest (default: every run)"},
					&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: string(report.FormatCSV), Usage: "output `FORMAT`: " + formatList(report.ExportFormats)},
					&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to `FILE`, replaced once the export is complete (default: standard output)"},
				},
				OnUsageError: onUsage,
				Action:       cmdExport,
			},
			{
				Name:      "fit",
				Usage:     "fit Amdahl's law and the USL to a CSV of measurements from elsewhere",
				ArgsUsage: "FILE.csv",
				Description: "Reads a CSV with a header row (- reads standard input), takes the load or processor count from\n" +
					"--x and the measurement from --y (several rows per load are allowed), and fits Amdahl's law\n" +
					"(with B's CI), the Karp-Flatt trend and the USL (sigma, kappa, lambda with CIs, and the peak),\n" +
					"then says which model the data support. No database is read or written.\n\n" +
					"Example (Gunther's raytracer benchmark):\n" +
					"   exp fit raytracer.csv --x processors --y throughput --kind throughput\n" +
					"   exp fit raytracer.csv --x processors --y throughput --kind throughput --plot ray.svg\n\n" +
					"--plot FILE also draws each load's speedup (throughput: X(p)/X(1)) with the fitted curves, .svg or .png.\n\n" +
					"A bad file (missing column, a cell that is not a positive number, too few distinct loads: 2 for\n" +
					"--model amdahl, 3 otherwise) is one line naming the row and column, exit status 2.",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "x", Usage: "`COLUMN` with the load or processor count (required)"},
					&cli.StringFlag{Name: "y", Usage: "`COLUMN` with the measurement (required)"},
					&cli.StringFlag{Name: "kind", Value: "time", Usage: "what the measurement is: `KIND` time or throughput"},
					&cli.StringFlag{Name: "model", Value: "both", Usage: "`MODEL`s to fit: both, amdahl, usl"},
					formatFlag(report.FitFormats),
					confidenceFlag,
					plotFlag,
				},
				OnUsageError: onUsage,
				Action:       cmdFit,
			},
			{
				Name:      "reproduce",
				Usage:     "re-run a stored run with its config and seed, and say whether it reproduces",
				ArgsUsage: "[RUN]",
				Description: "Re-runs the config stored with RUN (never the file on disk) with its seed, on this machine, into the\n" +
					"same database; the new run records that it reproduces RUN. Then prints the comparison of exp compare\n" +
					"between the two, how the hosts and builds differ, and a verdict line. RUN is an id, a UUID or unique\n" +
					"prefix, or latest (the default).\n\n" +
					"Exit status: 0 reproduced; 3 not reproduced; 1, 2 and 130 as for exp run.\n\n" +
					"Example:\n" +
					"   exp reproduce 3 --db results.db",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "db", EnvVars: []string{"EXP_DB"}, Value: experiment.DefaultDatabase,
						Usage: "SQLite `FILE` that holds RUN; the new run is added to it"},
					&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress output"},
					thresholdFlag,
					formatFlag(report.CompareFormats),
					confidenceFlag,
				},
				OnUsageError: onUsage,
				Action:       cmdReproduce,
			},
			{
				Name:      "compare",
				Usage:     "compare two runs cell by cell, as benchstat does",
				ArgsUsage: "RUN_A RUN_B",
				Description: "Matches the cells of two runs by (range, schedule, workers) and prints, per cell, each run's median\n" +
					"with its CI, the change, and the p-value of a Mann-Whitney U test (benchmath, as benchstat); ~ marks a\n" +
					"change that is not significant at alpha = 0.05 or below --threshold. Then a geomean row, each\n" +
					"range and schedule's Amdahl B in both runs and whether they agree, cells in only one run, how the\n" +
					"hosts differ, and a verdict line. RUN is an id, a UUID or unique prefix, or latest.\n\n" +
					"Examples:\n" +
					"   exp compare 1 2                           two runs of exp.db\n" +
					"   exp compare 1 latest --db-b laptop.db     run 1 of exp.db against the latest run of laptop.db\n" +
					"   exp compare 1 2 --plot both.svg           and both runs' speedups and Amdahl curves on one plot\n" +
					"                                             (A filled and solid, B hollow and dashed; .svg or .png)",
				Flags: []cli.Flag{
					readDB,
					&cli.StringFlag{Name: "db-b", Usage: "SQLite `FILE` holding RUN_B (default: --db)"},
					thresholdFlag,
					formatFlag(report.CompareFormats),
					confidenceFlag,
					plotFlag,
				},
				OnUsageError: onUsage,
				Action:       cmdCompare,
			},
			{
				Name:      "kernel",
				Usage:     "run the primes kernel once in this process and print its answer (a program for kernel command)",
				ArgsUsage: "primes",
				Description: "Tests [--start, --start+--count) for primes with --workers goroutines and --schedule, as one\n" +
					"trial of exp run would, and prints one line, the same whatever the workers or schedule:\n" +
					"   primes COUNT checksum SHA256\n" +
					"(SHA-256 of the primes found, sorted, each 8 bytes big-endian). With kernel command in an experiment\n" +
					"file, exp can then time itself as a child process, and the report's B and T1 show what starting a\n" +
					"process adds to the in-process kernel (see README, Any program as the kernel).\n\n" +
					"Example:\n" +
					"   exp kernel primes --start 10000000000000 --count 1000 --workers 2",
				Flags: []cli.Flag{
					&cli.Uint64Flag{Name: "start", Value: 10_000_000_000_000, Usage: "first `NUMBER` to test"},
					&cli.Uint64Flag{Name: "count", Value: 1000, Usage: "how many numbers to test, `N`"},
					&cli.IntFlag{Name: "workers", Aliases: []string{"w"}, Value: 1, Usage: "worker goroutines, `N`"},
					&cli.StringFlag{Name: "schedule", Value: string(experiment.Chunked), Usage: "`SCHEDULE`: per-item, chunked or static"},
					&cli.IntFlag{Name: "chunk", Value: experiment.DefaultChunk, Usage: "numbers per chunk for the chunked schedule, `N`"},
					&cli.BoolFlag{Name: "time", Usage: "also print the kernel's wall time on stderr"},
				},
				OnUsageError: onUsage,
				Action:       cmdKernel,
			},
			{
				Name:         "runs",
				Usage:        "list the runs in a database",
				Flags:        []cli.Flag{readDB, formatFlag(report.RunsFormats)},
				OnUsageError: onUsage,
				Action:       cmdRuns,
			},
			{
				Name:      "show",
				Usage:     "print one run's record: status, times, config, host, versions, counts, reproductions",
				ArgsUsage: "[RUN]",
				Description: "Prints what the database holds about one run: name, UUID, status and its message, started,\n" +
					"finished and duration; the experiment file's path, SHA-256 and seed; the host (hostname, CPU model,\n" +
					"NumCPU, GOMAXPROCS, cgroup limit, governor, kernel release, OS/arch); exp version, VCS revision and\n" +
					"Go version; cells and trials (measured, warmup, failed); the run it reproduces and the runs that\n" +
					"reproduce it; and, last, the experiment file verbatim.\n\n" +
					"RUN is an id, a UUID or unique UUID prefix, or latest (the default).\n\n" +
					"Examples:\n" +
					"   exp show                    the latest run\n" +
					"   exp show 3 --format json    run 3 as JSON\n" +
					"   exp show 0198c0de           the run whose UUID starts with 0198c0de",
				Flags:        []cli.Flag{readDB, formatFlag(report.ShowFormats)},
				OnUsageError: onUsage,
				Action:       cmdShow,
			},
			{
				Name:      "merge",
				Usage:     "copy the runs of other exp database files into one",
				ArgsUsage: "OUT.db IN.db...",
				Description: "Copies every run of each IN.db (from other machines, say) into OUT.db, creating it if missing, with\n" +
					"its cells, trials, per-worker rows, skipped trials and invocations; ids are renumbered, and a run's link to the run it\n" +
					"reproduces (a UUID) is kept. Runs are keyed by UUID: a run OUT.db already holds with the same content\n" +
					"is skipped as already present, so merging a file twice changes nothing. A UUID held with different\n" +
					"content (by OUT.db or another input) is an error naming it, both files and the first difference, and\n" +
					"nothing is written: the whole merge is one transaction. Each input is checked before OUT.db is opened\n" +
					"and read where it is (one from an older exp is copied to a temporary directory, and the copy upgraded);\n" +
					"the input itself is never written. An input that is missing, not an exp database, damaged, from a newer\n" +
					"exp, or OUT.db itself is one line naming it, exit status 2, and OUT.db is neither created nor changed.\n\n" +
					"Prints, per input, the runs added and already present, and a total line.\n\n" +
					"Example:\n" +
					"   exp merge all.db node1.db node2.db\n" +
					"   exp runs --db all.db",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress output"},
					formatFlag(mergeFormats),
				},
				OnUsageError: onUsage,
				Action:       cmdMerge,
			},
			{
				Name:      "check",
				Usage:     "judge a run against scaling expectations, with their confidence intervals, for CI",
				ArgsUsage: "[RUN] [--expect EXPR...]",
				Description: "Each --expect bounds a quantity of the report: b (Amdahl's B of every range and schedule),\n" +
					"speedup@N or efficiency@N (every cell with N workers), with <=, <, >= or >, as in 'b <= 0.05' or\n" +
					"'efficiency@2 >= 0.9'. Each is judged with its confidence interval at --confidence: pass when the\n" +
					"whole interval satisfies it, fail when the whole interval violates it, inconclusive otherwise (with\n" +
					"about how many repeats per cell would decide it), or when the quantity is missing (no fit, no cell).\n" +
					"Without --expect, the expect: list of the run's own experiment file is judged.\n" +
					"RUN is an id, a UUID or unique prefix, or latest (the default). docs/check.md lists the JSON keys.\n\n" +
					"Exit status: 0 every expectation passes; 4 one fails; 5 none fails but one is inconclusive;\n" +
					"2 a bad expression (naming its byte), flag or run.\n\n" +
					"Examples:\n" +
					"   exp check --expect 'b <= 0.05'\n" +
					"   exp check 3 --expect 'speedup@4 >= 3' --expect 'efficiency@2 >= 0.9' --format json",
				Flags: []cli.Flag{
					readDB,
					&cli.StringSliceFlag{Name: "expect", Usage: "`EXPR` to judge, such as 'b <= 0.05' (repeatable)"},
					formatFlag(report.CheckFormats),
					confidenceFlag,
				},
				OnUsageError: onUsage,
				Action:       cmdCheck,
			},
			{
				Name:      "suggest",
				Usage:     "plan the next run: the worker counts and repeats that would narrow B's interval the most",
				ArgsUsage: "[RUN]",
				Description: "Linearises the run's fits (Amdahl's law, and the USL where it is fitted) at their estimates and\n" +
					"predicts how wide B's interval (and σ's and κ's) would be for a next run with other worker counts\n" +
					"and repeats, from the spread of the trials already measured. It chooses worker counts from 1 to\n" +
					"--max-workers (default: the usable CPUs of the run's machine, or for a kernel that waits its largest\n" +
					"worker count if more; give more to plan for a bigger machine), one at a\n" +
					"time, each the one that narrows the intervals the most (a greedy A-optimal design; 1 is always in),\n" +
					"at least 4 of them (a fourth count tests the 3-parameter USL; at most --max-workers) or as many as the\n" +
					"run has; and repeats\n" +
					"per cell: at least the run's and 6, and enough for every median's interval to reach ±--precision.\n" +
					"It prints B's interval now and the one predicted, the counts that one more cell would help most at,\n" +
					"each cell's precision, and, last, the fragment to put in the experiment file in place of its\n" +
					"workers and repeats keys. RUN is an id, a UUID or unique prefix, or latest (the default).\n" +
					"docs/suggest.md describes the method and the JSON keys.\n\n" +
					"Examples:\n" +
					"   exp suggest                                   the latest run, up to its machine's CPUs\n" +
					"   exp suggest 3 --max-workers 64 --format yaml  run 3, planned for a 64-CPU machine: the fragment alone",
				Flags: []cli.Flag{
					readDB,
					&cli.IntFlag{Name: "max-workers", DefaultText: "the usable CPUs of the run's machine",
						Usage: "largest worker count `N` to consider; more than this machine has plans for a bigger one"},
					&cli.Float64Flag{Name: "precision", Value: report.DefaultPrecision * 100,
						Usage: "half-width of each median's interval to aim at, in `PERCENT` of the median"},
					&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: string(report.FormatText),
						Usage: "output `FORMAT`: " + formatList(report.SuggestFormats)},
					confidenceFlag,
				},
				OnUsageError: onUsage,
				Action:       cmdSuggest,
			},
			slurmCommand(onUsage),
		},
	}
	for _, cmd := range app.Commands {
		if slices.ContainsFunc(cmd.Flags, func(f cli.Flag) bool { return slices.Contains(f.Names(), "db") }) {
			cmd.Before = refuseEmptyDBEnv
		}
	}
	return app
}

// flagAllows says what the command's flag called name accepts, for a
// usage error: a duration, a number, or what the flag's value said in err
// (Go's flag package puts it after "parse error" or the flag's name).
func flagAllows(c *cli.Context, name string, err error) string {
	if c.Command != nil {
		for _, f := range c.Command.Flags {
			if !slices.Contains(f.Names(), name) {
				continue
			}
			if _, ok := f.(*cli.DurationFlag); ok {
				return "a duration such as 2h or 30m"
			}
			if _, ok := f.(*optionalFlag); ok {
				_, why, _ := strings.Cut(err.Error(), ": ")
				return strings.TrimPrefix(why, "must be ")
			}
		}
	}
	return "a number"
}

// refuseEmptyDBEnv refuses $EXP_DB set to the empty string when it would
// choose the database, as --db "" is refused: an unset variable in a
// script must not quietly fall back to exp.db.
func refuseEmptyDBEnv(c *cli.Context) error {
	if v, set := os.LookupEnv("EXP_DB"); set && v == "" && c.String("db") == "" {
		return usagef("EXP_DB is set but empty (unset it, or set it to a database file such as exp.db)")
	}
	return nil
}

func formatList(fs []report.Format) string {
	s := ""
	for i, f := range fs {
		if i > 0 {
			s += ", "
		}
		s += string(f)
	}
	return s
}
