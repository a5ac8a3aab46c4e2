"""Grow a small real exp database into a large one, for timing exp report and
exp runs at scale (bench/run.sh, part e). Standard library only.

    python3 bench/bigdb.py trials DB N   run 1's trials copied until it has N trials
    python3 bench/bigdb.py runs DB N     run 1 copied (cells, trials, workers, invocations) until there are N runs

DB must hold exactly one run, id 1, written by a real `exp run` (use a tiny
experiment: bench/run-tiny.yaml). The copies are made by SQLite itself
(INSERT ... SELECT, one transaction) and keep the schema's constraints:
trials stay unique by (run_id, seq) and by cell and rep, every foreign key
points at a row of the same run, and each run has its own UUID. Columns are
read from the file, so columns a later migration adds are copied too.

trials: copy j of the run's base trial b is trial seq = j * B + b (B base
trials), in b's cell, measured (warmup 0), with rep = b's rep + j * (trials
per cell), its wall_ns jittered by up to 0.1 ms so that medians take a real
sort, and b's per-worker rows.

runs: each copy gets a random version-7-shaped UUID; its rows are run 1's.
"""

import sqlite3
import sys


def columns(db, table, skip):
    return [r[1] for r in db.execute("PRAGMA table_info(%s)" % table) if r[1] not in skip]


def copy_sql(db, table, overrides, source):
    """INSERT INTO table (cols) SELECT <override or src.col>, ... FROM source.
    overrides maps a column to the SQL expression that replaces it; id is
    always left to SQLite."""
    cols = columns(db, table, {"id"})
    exprs = [overrides.get(c, "src." + c) for c in cols]
    return "INSERT INTO %s (%s) SELECT %s FROM %s" % (table, ", ".join(cols), ", ".join(exprs), source)


def grow_trials(db, n):
    base = db.execute("SELECT count(*) FROM trials WHERE run_id = 1").fetchone()[0]
    per_cell = db.execute(
        "SELECT max(k) FROM (SELECT count(*) AS k FROM trials WHERE run_id = 1 GROUP BY cell_id)").fetchone()[0]
    # k runs over the new trials' seq; src is the base trial it copies.
    source = """(WITH RECURSIVE k(seq) AS (SELECT %(base)d UNION ALL SELECT seq + 1 FROM k WHERE seq + 1 < %(n)d)
        SELECT k.seq AS new_seq, t.* FROM k JOIN trials t ON t.run_id = 1 AND t.seq = k.seq %% %(base)d) AS src""" % {
        "base": base, "n": n}
    db.execute(copy_sql(db, "trials", {
        "seq": "src.new_seq",
        "rep": "src.rep + (src.new_seq / %d) * %d" % (base, per_cell),
        "warmup": "0",
        "wall_ns": "src.wall_ns + (src.new_seq * 7919) % 100000",
    }, source))
    db.execute(copy_sql(db, "trial_workers", {"trial_id": "src.new_id"}, """(
        SELECT nt.id AS new_id, w.* FROM trials nt
        JOIN trials bt ON bt.run_id = 1 AND bt.seq = nt.seq %% %d
        JOIN trial_workers w ON w.trial_id = bt.id
        WHERE nt.run_id = 1 AND nt.seq >= %d) AS src""" % (base, base)))
    db.execute("UPDATE run_invocations SET trials = ? WHERE run_id = 1", (n,))


# A version-7-shaped UUID from the source row's 32 random hex digits src.h.
UUID7 = """substr(src.h, 1, 8) || '-' || substr(src.h, 9, 4) || '-7' || substr(src.h, 14, 3) || '-'
        || substr('89ab', 1 + (unicode(substr(src.h, 17, 1)) % 4), 1) || substr(src.h, 18, 3) || '-' || substr(src.h, 21, 12)"""


def grow_runs(db, n):
    db.execute(copy_sql(db, "runs", {"uuid": UUID7}, """(
        WITH RECURSIVE k(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM k WHERE i < %d)
        SELECT lower(hex(randomblob(16))) AS h, r.* FROM k JOIN runs r ON r.id = 1) AS src""" % n))
    db.execute(copy_sql(db, "cells", {"run_id": "src.new_run"},
                        "(SELECT r.id AS new_run, c.* FROM runs r JOIN cells c ON c.run_id = 1 WHERE r.id > 1) AS src"))
    db.execute(copy_sql(db, "trials", {"run_id": "src.new_run", "cell_id": "src.new_cell"}, """(
        SELECT nc.run_id AS new_run, nc.id AS new_cell, t.* FROM cells nc
        JOIN cells oc ON oc.run_id = 1 AND oc.idx = nc.idx
        JOIN trials t ON t.cell_id = oc.id
        WHERE nc.run_id > 1) AS src"""))
    db.execute(copy_sql(db, "trial_workers", {"trial_id": "src.new_id"}, """(
        SELECT nt.id AS new_id, w.* FROM trials nt
        JOIN trials ot ON ot.run_id = 1 AND ot.seq = nt.seq
        JOIN trial_workers w ON w.trial_id = ot.id
        WHERE nt.run_id > 1) AS src"""))
    db.execute(copy_sql(db, "run_invocations", {"run_id": "src.new_run"},
                        "(SELECT r.id AS new_run, i.* FROM runs r JOIN run_invocations i ON i.run_id = 1 WHERE r.id > 1) AS src"))


def main(argv):
    if len(argv) != 4 or argv[1] not in ("trials", "runs"):
        sys.exit("usage: bigdb.py trials|runs DB N")
    db = sqlite3.connect(argv[2], isolation_level=None)
    db.execute("PRAGMA foreign_keys = ON")
    runs = db.execute("SELECT group_concat(id) FROM runs").fetchone()[0]
    if runs != "1":
        sys.exit("bigdb.py: %s must hold exactly run 1, holds runs %s" % (argv[2], runs))
    db.execute("BEGIN IMMEDIATE")
    (grow_trials if argv[1] == "trials" else grow_runs)(db, int(argv[3]))
    db.execute("COMMIT")
    bad = db.execute("PRAGMA foreign_key_check").fetchall()
    if bad:
        sys.exit("bigdb.py: foreign keys broken: %s" % bad[:5])
    print("%s: %d runs, %d trials, %d worker rows" % (
        argv[2], *(db.execute("SELECT count(*) FROM %s" % t).fetchone()[0] for t in ("runs", "trials", "trial_workers"))))


if __name__ == "__main__":
    main(sys.argv)
