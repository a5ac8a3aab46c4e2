package main

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/report"
	"github.com/exp-tool/exp/store"
	"github.com/urfave/cli/v2"
)

// dbPath picks the database: --db or $EXP_DB, then the experiment file's
// key, then experiment.DefaultDatabase.
func dbPath(c *cli.Context, fromFile string) string {
	if c.IsSet("db") && c.String("db") != "" {
		return c.String("db")
	}
	if fromFile != "" {
		return fromFile
	}
	return experiment.DefaultDatabase
}

// readSetup is the shared start of the read-only commands that take no
// positional arguments: see openRead.
func readSetup(c *cli.Context, formats []report.Format) (report.Format, *store.DB, error) {
	if c.NArg() != 0 {
		return "", nil, usagef("%s takes no arguments, got %q (flags: exp help %s)", c.Command.Name, c.Args().Slice(), c.Command.Name)
	}
	return openRead(c, formats)
}

// openRead is the shared start of the read-only commands once their
// arguments are checked: a valid --format, and an existing database,
// opened with store.OpenExisting.
func openRead(c *cli.Context, formats []report.Format) (report.Format, *store.DB, error) {
	format, err := report.ParseFormat(c.String("format"), formats)
	if err != nil {
		return "", nil, usageError{err}
	}
	db, err := store.OpenExisting(c.Context, dbPath(c, ""))
	if err != nil {
		return "", nil, err
	}
	return format, db, nil
}

// shellQuote quotes s for a POSIX shell when it holds anything but safe
// characters, so that suggested commands can be pasted.
func shellQuote(s string) string {
	safe := func(r rune) bool {
		return r == '/' || r == '.' || r == '_' || r == '-' || r == '+' || r == ':' || r == '=' || r == '@' || r == ',' ||
			'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	if s != "" && strings.IndexFunc(s, func(r rune) bool { return !safe(r) }) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// loadSide reads the run that ref names (an id, a UUID or unique prefix,
// or latest) with its cells and trials.
func loadSide(ctx context.Context, db *store.DB, ref string) (report.Side, error) {
	r, err := db.FindRun(ctx, ref)
	if err != nil {
		return report.Side{}, err
	}
	stored, err := db.Cells(ctx, r.ID)
	if err != nil {
		return report.Side{}, err
	}
	trials, err := db.Trials(ctx, r.ID)
	if err != nil {
		return report.Side{}, err
	}
	cells := make([]experiment.Cell, len(stored))
	for i, sc := range stored {
		cells[i] = sc.Cell
	}
	return report.Side{Run: r, Cells: cells, Trials: trials}, nil
}

// heartbeatFromEnv sets store.HeartbeatInterval from $EXP_HEARTBEAT (a Go
// duration such as 2s), if set: how often a running exp writes its
// heartbeat, and so how soon a killed run reads as abandoned. Every exp
// using a file should see the same value.
func heartbeatFromEnv() error {
	v, ok := os.LookupEnv("EXP_HEARTBEAT")
	if !ok {
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return usagef("$EXP_HEARTBEAT must be a positive duration such as 2s, got %q", v)
	}
	store.HeartbeatInterval = d
	return nil
}
