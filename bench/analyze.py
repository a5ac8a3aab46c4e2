"""Numbers for bench/run.sh: medians with their min-max, ratios of runs made
side by side, and the queries on exp's database that the benchmark reports.
Each command prints its own table and appends rows (part, quantity, value,
target or note) to the summary file that `summary` prints at the end.

Standard library only. Subcommands (see bench/run.sh for the calls):

    pair SUMMARY PART LABEL_A FILE_A LABEL_B FILE_B   side-by-side samples, ratio B/A
    scaling SUMMARY REPORT.json RUN.db                schedules (c)
    overhead SUMMARY RUN.db WALL_S                    runner overhead (d)
    timev SUMMARY PART LABEL WALL_TARGET_S RSS_TARGET_MB FILE...   /usr/bin/time -v outputs (e)
    rate SUMMARY PART LABEL ITEMS TARGET_PER_S FILE...             items/s of /usr/bin/time -v outputs (e)
    gobench SUMMARY PART LABEL TARGET_US FILE                      a Go benchmark's ns/op lines (e)
    summary SUMMARY                                   the final table
"""

import datetime
import json
import sqlite3
import statistics
import sys


def read_samples(path):
    with open(path) as f:
        return [float(line) for line in f if line.strip()]


def spread(xs, fmt):
    """Median [min-max] of xs, each number formatted with fmt."""
    return "%s [%s-%s]" % (fmt % statistics.median(xs), fmt % min(xs), fmt % max(xs))


def add(summary, part, quantity, value, note=""):
    with open(summary, "a") as f:
        f.write("\t".join([part, quantity, value, note]) + "\n")


def nworkers(w):
    return "%d worker%s" % (w, "" if w == 1 else "s")


def cmd_pair(summary, part, label_a, file_a, label_b, file_b):
    """Samples of A and B taken alternately (A B A B ...), seconds each.
    Prints each median [min-max], the ratio of the medians, and the
    per-round ratios B_i/A_i (median [min-max]): a round's two runs saw
    nearly the same machine, so their ratio cancels slow drift."""
    a, b = read_samples(file_a), read_samples(file_b)
    if len(a) != len(b) or not a:
        sys.exit("pair: %d samples of %s, %d of %s" % (len(a), label_a, len(b), label_b))
    rounds = [y / x for x, y in zip(a, b)]
    ratio = statistics.median(b) / statistics.median(a)
    print("  %-28s %s s  (n=%d)" % (label_a, spread(a, "%.4f"), len(a)))
    print("  %-28s %s s  (n=%d)" % (label_b, spread(b, "%.4f"), len(b)))
    print("  ratio %s / %s: %.3f of medians; per round %s" % (label_b, label_a, ratio, spread(rounds, "%.3f")))
    add(summary, part, label_a, spread(a, "%.4f") + " s")
    add(summary, part, label_b, spread(b, "%.4f") + " s")
    add(summary, part, "%s / %s" % (label_b, label_a), "%.3f" % ratio, "per round " + spread(rounds, "%.3f"))


def fmt_ci(x, lo, hi, fmt="%.2f"):
    if x is None:
        return "-"
    lo = "-" if lo is None else fmt % lo
    hi = "-" if hi is None else fmt % hi
    return "%s [%s, %s]" % (fmt % x, lo, hi)


# Per trial: workers x wall - the workers' summed busy time, per number. It
# is the time the workers spent outside the kernel (waiting for or handing
# over work, idle at the end, descheduled), spread over the range.
SLACK_SQL = """
SELECT c.schedule, c.workers, c.range_count,
       (c.workers * t.wall_ns - sum(w.busy_ns)) * 1.0 / c.range_count AS slack_ns,
       max(w.busy_ns) * 1.0 / avg(w.busy_ns) AS imbalance
FROM trials t
JOIN cells c ON c.id = t.cell_id
JOIN trial_workers w ON w.trial_id = t.id
WHERE t.run_id = (SELECT max(id) FROM runs) AND t.warmup = 0 AND t.timed_out = 0
GROUP BY t.id
"""


def cmd_scaling(summary, report_json, db_path, target="1.9"):
    rep = json.load(open(report_json))
    cells = rep["cells"]
    cpus = rep.get("usable_cpus")
    print("  usable CPUs: %s; intervals at %s" % (cpus, rep.get("confidence")))
    print("  %-9s %3s %3s  %-30s %-22s %5s  %9s %9s %7s" % (
        "schedule", "w", "n", "median s [CI]", "speedup [CI]", "eff", "contended", "other_cpu", "cpu_use"))
    for c in cells:
        other = "-" if c.get("other_cpu") is None else "%.2f" % c["other_cpu"]
        cpu_use = "-" if c.get("cpu_use") is None else "%.2f" % c["cpu_use"]
        eff = "-" if c.get("efficiency") is None else "%.2f" % c["efficiency"]
        print("  %-9s %3d %3d  %-30s %-22s %5s  %6d/%-2d %9s %7s" % (
            c["schedule"], c["workers"], c["n"],
            fmt_ci(c["median_s"], c["ci_low_s"], c["ci_high_s"], "%.4f"),
            fmt_ci(c["speedup"], c["speedup_ci_low"], c["speedup_ci_high"]),
            eff, c["contended"], c["n"], other, cpu_use))
        add(summary, "c schedules", "%s, %s: speedup [CI]" % (c["schedule"], nworkers(c["workers"])),
            fmt_ci(c["speedup"], c["speedup_ci_low"], c["speedup_ci_high"]),
            "contended %d/%d, other_cpu %s" % (c["contended"], c["n"], other))

    # The target: chunked at 2 workers, median speedup >= 1.9 on a quiet machine.
    for c in cells:
        if c["schedule"] == "chunked" and c["workers"] == 2 and c["speedup"] is not None:
            met = c["speedup"] >= float(target)
            quiet = "quiet" if c["contended"] == 0 else "NOT quiet: %d of %d trials contended" % (c["contended"], c["n"])
            line = "%s (%.2f vs >= %s; machine %s)" % ("met" if met else "MISSED", c["speedup"], target, quiet)
            print("  target chunked 2 workers speedup >= %s: %s" % (target, line))
            add(summary, "c schedules", "target: chunked, 2 workers, speedup >= " + target, "met" if met else "MISSED", quiet)

    db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
    slack, imbalance = {}, {}
    count = None
    for schedule, workers, range_count, slack_ns, imb in db.execute(SLACK_SQL):
        slack.setdefault((schedule, workers), []).append(slack_ns)
        if schedule == "static":
            imbalance.setdefault(workers, []).append(imb)
        count = range_count
    med = {(c["schedule"], c["workers"]): c["median_s"] for c in cells}

    print()
    print("  per-item dispatch cost per number, two estimates:")
    print("    slack = (workers x wall - sum of busy) / numbers, per trial (median [min-max]);")
    print("    dispatch = slack(per-item) - slack(chunked): what handing over one number at a time adds;")
    print("    medians = (T per-item - T chunked) / numbers, from the cell medians (noisier).")
    print("  %3s  %-26s %-26s %10s %12s" % ("w", "slack per-item ns", "slack chunked ns", "dispatch", "from medians"))
    for w in sorted({w for (s, w) in slack}):
        pi, ch = slack.get(("per-item", w)), slack.get(("chunked", w))
        if not pi or not ch:
            continue
        dispatch = statistics.median(pi) - statistics.median(ch)
        from_medians = (med[("per-item", w)] - med[("chunked", w)]) / count * 1e9
        print("  %3d  %-26s %-26s %7.0f ns %9.0f ns" % (w, spread(pi, "%.0f"), spread(ch, "%.0f"), dispatch, from_medians))
        note = "slack per-item %s, chunked %s ns; from medians %.0f ns" % (
            spread(pi, "%.0f"), spread(ch, "%.0f"), from_medians)
        if w <= (cpus or 1):
            add(summary, "c schedules", "per-item dispatch per number, " + nworkers(w), "%.0f ns" % dispatch, note)

    print()
    print("  static imbalance = max busy / mean busy of a trial's workers (1.00 = even), median [min-max]:")
    for w in sorted(imbalance):
        print("  %12s: %s" % (nworkers(w), spread(imbalance[w], "%.3f")))
        if w > 1:
            note = "" if w <= (cpus or 1) else "more workers than CPUs: busy includes descheduled time"
            add(summary, "c schedules", "static imbalance, " + nworkers(w), spread(imbalance[w], "%.3f"), note)


def parse_time(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def cmd_overhead(summary, db_path, wall_s):
    """The runner's overhead: the process's wall time less the sum of its
    trials' wall_ns (warmups included), as a share of the wall time."""
    wall = float(wall_s)
    db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
    (run_id, started, finished), = db.execute("SELECT id, started_at, finished_at FROM runs ORDER BY id DESC LIMIT 1")
    n, trial_ns, first = db.execute(
        "SELECT count(*), sum(wall_ns), min(started_at) FROM trials WHERE run_id = ?", (run_id,)).fetchone()
    trials_s = trial_ns / 1e9
    run_s = (parse_time(finished) - parse_time(started)).total_seconds()
    before = (parse_time(first) - parse_time(started)).total_seconds()
    over = wall - trials_s
    print("  exp run process wall time:     %8.2f s" % wall)
    print("  run's started_at..finished_at: %8.2f s" % run_s)
    print("  sum of %d trials' wall_ns:     %8.2f s" % (n, trials_s))
    print("  overhead: %.2f s = %.1f%% of the process; %.1f ms per trial;" % (over, 100 * over / wall, 1e3 * over / n))
    print("    of it %.2f s outside the run's started_at..finished_at (start-up, oracle, opening the database),"
          % (wall - run_s))
    print("    %.2f s from started_at to the first trial, %.2f s between and after trials (GC, checks, commits)"
          % (before, run_s - before - trials_s))
    add(summary, "d overhead", "exp run wall / sum of trials", "%.2f s / %.2f s" % (wall, trials_s), "%d trials" % n)
    add(summary, "d overhead", "overhead share of exp run", "%.1f%%" % (100 * over / wall),
        "%.1f ms/trial; %.2f s outside the run's own times" % (1e3 * over / n, wall - run_s))


def parse_timev(path):
    wall = rss = None
    for line in open(path):
        line = line.strip()
        if line.startswith("Elapsed (wall clock) time"):
            parts = line.rsplit(" ", 1)[1].split(":")
            wall = sum(float(p) * 60 ** i for i, p in enumerate(reversed(parts)))
        elif line.startswith("Maximum resident set size"):
            rss = int(line.rsplit(" ", 1)[1]) / 1024
    if wall is None or rss is None:
        sys.exit("timev: no wall time or peak RSS in %s" % path)
    return wall, rss


def cmd_timev(summary, part, label, wall_target, rss_target, *paths):
    walls, rsss = zip(*(parse_timev(p) for p in paths))
    wt, rt = float(wall_target), float(rss_target)
    wall_ok = "met" if statistics.median(walls) < wt else "MISSED"
    print("  %-34s wall %s s (target < %g s: %s)" % (label, spread(walls, "%.2f"), wt, wall_ok))
    add(summary, part, label + ": wall", spread(walls, "%.2f") + " s", "target < %g s: %s" % (wt, wall_ok))
    if rt > 0:
        rss_ok = "met" if max(rsss) < rt else "MISSED"
        print("  %-34s peak RSS %s MB (target < %g MB: %s)" % ("", spread(rsss, "%.0f"), rt, rss_ok))
        add(summary, part, label + ": peak RSS", spread(rsss, "%.0f") + " MB", "target < %g MB: %s" % (rt, rss_ok))
    else:
        print("  %-34s peak RSS %s MB" % ("", spread(rsss, "%.0f")))
        add(summary, part, label + ": peak RSS", spread(rsss, "%.0f") + " MB")


def cmd_rate(summary, part, label, items, target_per_s, *paths):
    """Items per second of runs timed by /usr/bin/time -v, against a floor."""
    walls = [parse_timev(p)[0] for p in paths]
    rates = [float(items) / w for w in walls]
    ok = "met" if statistics.median(rates) >= float(target_per_s) else "MISSED"
    print("  %-34s %s items/s (target >= %s: %s)" % (label, spread(rates, "%.0f"), target_per_s, ok))
    add(summary, part, label, spread(rates, "%.0f") + " /s", "target >= %s /s: %s" % (target_per_s, ok))


def cmd_gobench(summary, part, label, target_us, path):
    """ns/op of the lines of one Go benchmark in path, in µs, against a ceiling."""
    us = [float(line.split()[2]) / 1000 for line in open(path) if line.startswith("Benchmark") and " ns/op" in line]
    if not us:
        sys.exit("gobench: no ns/op line in %s" % path)
    ok = "met" if statistics.median(us) <= float(target_us) else "MISSED"
    print("  %-34s %s µs (target <= %s µs: %s)" % (label, spread(us, "%.1f"), target_us, ok))
    add(summary, part, label, spread(us, "%.1f") + " µs", "target <= %s µs: %s" % (target_us, ok))


def cmd_summary(summary):
    rows = [line.rstrip("\n").split("\t") for line in open(summary)]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    last = None
    for part, quantity, value, note in rows:
        head = part if part != last else ""
        last = part
        print("%-*s  %-*s  %-*s  %s" % (widths[0], head, widths[1], quantity, widths[2], value, note))


def main(argv):
    cmds = {"pair": cmd_pair, "scaling": cmd_scaling, "overhead": cmd_overhead,
            "timev": cmd_timev, "rate": cmd_rate, "gobench": cmd_gobench, "summary": cmd_summary}
    if len(argv) < 2 or argv[1] not in cmds:
        sys.exit("usage: analyze.py %s ARGS... (see the file's doc)" % "|".join(cmds))
    cmds[argv[1]](*argv[2:])


if __name__ == "__main__":
    main(sys.argv)
