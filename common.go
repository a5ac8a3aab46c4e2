package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/exp-tool/exp/chart"
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

// runArg is the one optional RUN argument of command (an id, a UUID or
// unique prefix, or latest, the default); example is a command line to
// suggest when more are given.
func runArg(c *cli.Context, command, example string) (string, error) {
	switch {
	case c.NArg() > 1:
		return "", usagef("%s takes one run, got %d arguments (try: %s)", command, c.NArg(), example)
	case c.NArg() == 1 && strings.TrimSpace(c.Args().First()) == "":
		return "", usagef("%s: RUN is empty (give an id, a UUID or unique UUID prefix, or latest)", command)
	case c.NArg() == 1:
		return c.Args().First(), nil
	}
	return "latest", nil
}

// readReport reads the report of run ref from --db for a command that
// writes it in one of formats, with the thresholds of its flags; the
// database is closed again, as the report holds all it needs.
func readReport(c *cli.Context, ref string, formats []report.Format) (report.Format, *report.Report, error) {
	th, err := thresholds(c)
	if err != nil {
		return "", nil, err
	}
	format, db, err := openRead(c, formats)
	if err != nil {
		return "", nil, err
	}
	defer db.Close()
	rep, err := loadJobReport(c.Context, db, ref, th, false)
	return format, rep, err
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

// loadReport reads the run that ref names with its cells, and analyses its
// trials with thresholds th as the store reads them, one at a time: a run
// of a million trials is never held in memory as trials.
func loadReport(ctx context.Context, db *store.DB, ref string, th report.Thresholds) (*report.Report, error) {
	r, err := db.FindRun(ctx, ref)
	if err != nil {
		return nil, err
	}
	stored, err := db.Cells(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	cells := make([]experiment.Cell, len(stored))
	for i, sc := range stored {
		cells[i] = sc.Cell
	}
	b := report.NewBuilder(r, cells, th)
	err = db.EachTrial(ctx, r.ID, func(t *experiment.Trial) error {
		b.Add(t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	rep := b.Report()
	skipped, err := db.Skipped(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	rep.Warnings = append(rep.Warnings, skippedWarnings(skipped)...)
	hf, err := db.HookFailures(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	rep.Warnings = append(rep.Warnings, hookFailureWarnings(hf)...)
	return rep, nil
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

// plotTarget is where --plot draws: a file and its format; zero without
// the flag.
type plotTarget struct{ path, format string }

// plotFlag checks --plot before any work: its file must end in .svg or
// .png, in a directory that exists (a usage error names the flag and what
// it allows).
func plotFlag(c *cli.Context) (plotTarget, error) {
	path := c.String("plot")
	if path == "" {
		return plotTarget{}, nil
	}
	format, err := chart.FormatOf(path)
	if err != nil {
		return plotTarget{}, usageError{fmt.Errorf("--plot %w", err)}
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
		return plotTarget{}, usagef("--plot %q: the directory %s does not exist (the plot goes into an existing directory)", path, filepath.Dir(path))
	}
	return plotTarget{path, format}, nil
}

// write draws the figure that fig builds into the file, if there is one.
func (pt plotTarget) write(fig func() *chart.Figure) error {
	if pt.path == "" {
		return nil
	}
	return writeFileAtomic(pt.path, func(w io.Writer) error { return fig().Write(w, pt.format) })
}

// writeFileAtomic writes a file whole or not at all: into a temporary
// file in the same directory, synced, then renamed over path, so that a
// reader never sees half a file and a failure leaves any old one as it
// was.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	bw := bufio.NewWriter(tmp)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	// CreateTemp makes the file private (0600); a plot is for sharing.
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
