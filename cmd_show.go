package main

import (
	"errors"

	"github.com/exp-tool/exp/report"
	"github.com/exp-tool/exp/store"
	"github.com/urfave/cli/v2"
)

// cmdShow prints one run's record: exp show [RUN], RUN defaulting to latest.
func cmdShow(c *cli.Context) error {
	ref, err := runArg(c, "show", "exp show 3")
	if err != nil {
		return err
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
