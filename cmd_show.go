package main

import (
	"errors"
	"strings"

	"github.com/exp-tool/exp/report"
	"github.com/exp-tool/exp/store"
	"github.com/urfave/cli/v2"
)

// cmdShow prints one run's record: exp show [RUN], RUN defaulting to latest.
func cmdShow(c *cli.Context) error {
	ref := "latest"
	switch {
	case c.NArg() > 1:
		return usagef("show takes one run (an id, a UUID or unique UUID prefix, or latest), got %q", c.Args().Slice())
	case c.NArg() == 1 && strings.TrimSpace(c.Args().First()) == "":
		return usagef("show: RUN is empty (give an id, a UUID or unique UUID prefix, or latest)")
	case c.NArg() == 1:
		ref = c.Args().First()
	}
	format, db, err := openRead(c, report.ShowFormats)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := db.FindRun(c.Context, ref)
	if err != nil {
		return err
	}
	counts, err := db.Counts(c.Context, r.ID)
	if err != nil {
		return err
	}
	rec := report.RunRecord{Run: r, Counts: report.RunCounts(counts)}
	if r.Reproduces != "" {
		// The original may live in another file: then only its UUID is shown.
		switch o, err := db.FindRun(c.Context, r.Reproduces); {
		case err == nil:
			rec.Original = &o
		case !errors.Is(err, store.ErrRunNotFound):
			return err
		}
	}
	if rec.Reproductions, err = db.Reproductions(c.Context, r.UUID); err != nil {
		return err
	}
	if rec.Invocations, err = db.Invocations(c.Context, r.ID); err != nil {
		return err
	}
	return report.WriteShow(c.App.Writer, format, rec)
}
